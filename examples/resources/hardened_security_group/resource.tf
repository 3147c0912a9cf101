# Defined once by the platform team, referenced by every web container:
#   firewall = { rules = [{ type = "group", action = hardened_security_group.web.name, iface = "net0" }] }
# Referencing the resource (not the literal name) lets Terraform destroy the
# containers before the group; deleting a group still in use fails.
resource "hardened_security_group" "web" {
  name    = "webservers"
  comment = "web tier"
  rules = [
    { type = "in", action = "ACCEPT", macro = "HTTPS", comment = "TLS only" },
    { type = "in", action = "ACCEPT", proto = "tcp", dport = "80", source = "+dc/loadbalancers", comment = "redirects, from the LBs only" },
    { type = "out", action = "ACCEPT", macro = "DNS", dest = "dc/resolver" },
  ]
}
