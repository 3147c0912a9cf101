package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/hardened-pve/terraform-provider-hardened/internal/datasources/audit"
	"github.com/hardened-pve/terraform-provider-hardened/internal/datasources/nodeaudit"
	"github.com/hardened-pve/terraform-provider-hardened/internal/datasources/nodes"
	"github.com/hardened-pve/terraform-provider-hardened/internal/datasources/templates"
	"github.com/hardened-pve/terraform-provider-hardened/internal/resources/apparmorprofile"
	"github.com/hardened-pve/terraform-provider-hardened/internal/resources/backupjob"
	"github.com/hardened-pve/terraform-provider-hardened/internal/resources/clusterfirewall"
	"github.com/hardened-pve/terraform-provider-hardened/internal/resources/container"
	"github.com/hardened-pve/terraform-provider-hardened/internal/resources/securitygroup"
	"github.com/hardened-pve/terraform-provider-hardened/internal/resources/template"
)

// resources lists every resource of the provider: add a package's
// constructor here (one line) to register it.
var resources = []func() resource.Resource{
	container.NewResource,
	securitygroup.NewResource,
	apparmorprofile.NewResource,
	clusterfirewall.NewResource,
	template.NewResource,
	backupjob.NewResource,
}

// dataSources lists every data source of the provider.
var dataSources = []func() datasource.DataSource{
	nodes.NewDataSource,
	audit.NewDataSource,
	templates.NewDataSource,
	nodeaudit.NewDataSource,
}
