package providerdata

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

// ReadDataSourceConfig is how every data source's Read starts: its
// configuration read into m (a pointer to its model), then the provider's
// clients checked, which are nil while the provider is not configured (its
// settings have values known only after apply). name is the data source's
// type name for that error. It reports whether Read goes on; when not,
// diags say why.
func ReadDataSourceConfig(ctx context.Context, config tfsdk.Config, m any, c *Clients, diags *diag.Diagnostics, name string) bool {
	diags.Append(config.Get(ctx, m)...)
	if diags.HasError() {
		return false
	}
	if c == nil {
		diags.AddError("Provider not configured", fmt.Sprintf("%s cannot be read: the hardened provider has no clients, because "+
			"its configuration has values that are known only after apply. Use known values for the provider's settings "+
			"(endpoint, credentials, node access) to read %s during plan.", name, name))
		return false
	}
	return true
}
