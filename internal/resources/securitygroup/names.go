package securitygroup

import "regexp"

// groupNameRE is PVE's security group name pattern in the lower case PVE
// stores.
var groupNameRE = regexp.MustCompile(`^[a-z][a-z0-9\-_]+$`)
