package pvesim

// registerRoutes wires every implemented API method; each must exist in the
// embedded PVE schema, which validates its parameters before the handler runs.
func (s *Sim) registerRoutes() {
	r := &s.routes
	r.add("GET", "/version", s.handleVersion)
	r.add("POST", "/access/ticket", s.handleCreateTicket)
	r.add("GET", "/cluster/nextid", s.handleNextID)
	r.add("GET", "/cluster/resources", s.handleResources)
	r.add("GET", "/cluster/status", s.handleClusterStatus)
	r.add("GET", "/nodes", s.handleNodes)
	r.add("GET", "/nodes/{node}/status", s.handleNodeStatus)
	r.add("GET", "/nodes/{node}/storage", s.handleStorageIndex)
	r.add("GET", "/nodes/{node}/storage/{storage}/content", s.handleStorageContent)
	r.add("DELETE", "/nodes/{node}/storage/{storage}/content/{volume}", s.handleContentDelete)
	r.add("POST", "/nodes/{node}/storage/{storage}/download-url", s.handleDownloadURL)
	r.add("GET", "/nodes/{node}/tasks/{upid}/status", s.handleTaskStatus)
	r.add("GET", "/nodes/{node}/tasks/{upid}/log", s.handleTaskLog)

	r.add("GET", "/nodes/{node}/lxc", s.handleList)
	r.add("POST", "/nodes/{node}/lxc", s.handleCreate)
	r.add("GET", "/nodes/{node}/lxc/{vmid}", s.handleVMDirIndex)
	r.add("DELETE", "/nodes/{node}/lxc/{vmid}", s.handleDestroy)
	r.add("GET", "/nodes/{node}/lxc/{vmid}/config", s.handleConfigGet)
	r.add("PUT", "/nodes/{node}/lxc/{vmid}/config", s.handleConfigPut)
	r.add("GET", "/nodes/{node}/lxc/{vmid}/pending", s.handlePending)
	r.add("GET", "/nodes/{node}/lxc/{vmid}/interfaces", s.handleInterfaces)
	r.add("GET", "/nodes/{node}/lxc/{vmid}/status", s.handleStatusIndex)
	r.add("GET", "/nodes/{node}/lxc/{vmid}/status/current", s.handleStatusCurrent)
	r.add("POST", "/nodes/{node}/lxc/{vmid}/status/start", s.handleStart)
	r.add("POST", "/nodes/{node}/lxc/{vmid}/status/stop", s.handleStop("stop"))
	r.add("POST", "/nodes/{node}/lxc/{vmid}/status/shutdown", s.handleStop("shutdown"))
	r.add("POST", "/nodes/{node}/lxc/{vmid}/status/reboot", s.handleReboot)
	r.add("PUT", "/nodes/{node}/lxc/{vmid}/resize", s.handleResize)

	s.registerFirewallRoutes()
	s.registerBackupRoutes()
}
