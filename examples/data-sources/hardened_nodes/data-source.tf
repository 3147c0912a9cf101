# The cluster's nodes, and a pre-flight check that the provider can reach
# every node's files (SSH host keys, credentials, node_root) before any
# container is created.
data "hardened_nodes" "all" {
  verify_node_access = true
}

output "online_nodes" {
  value = [for n in data.hardened_nodes.all.nodes : n.name if n.status == "online"]
}
