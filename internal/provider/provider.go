// Package provider is the `hardened` Terraform provider: its schema, its
// configuration (attributes, then environment variables, then defaults) and
// the clients it builds once and hands to every resource and data source.
package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/hardened-pve/terraform-provider-hardened/internal/attrs/baselineattr"
	"github.com/hardened-pve/terraform-provider-hardened/internal/nodefs"
	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
	"github.com/hardened-pve/terraform-provider-hardened/internal/problems"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
	"github.com/hardened-pve/terraform-provider-hardened/internal/pve"
)

// TypeName is the provider's type name (resources are hardened_*).
const TypeName = "hardened"

var (
	_ provider.Provider                     = &hardenedProvider{}
	_ provider.ProviderWithConfigValidators = &hardenedProvider{}
)

// ConfigureHook is called with every set of clients Configure builds and the
// node root they use (tests use it to close SSH connections at their end).
type ConfigureHook func(nodeRoot string, clients *providerdata.Clients)

// Option customises the provider (for tests).
type Option func(*hardenedProvider)

// WithConfigureHook registers a ConfigureHook.
func WithConfigureHook(h ConfigureHook) Option {
	return func(p *hardenedProvider) { p.hook = h }
}

type hardenedProvider struct {
	version string
	hook    ConfigureHook
}

// New returns the provider factory for providerserver.
func New(version string, opts ...Option) func() provider.Provider {
	return func() provider.Provider {
		p := &hardenedProvider{version: version}
		for _, o := range opts {
			o(p)
		}
		return p
	}
}

func (p *hardenedProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = TypeName
	resp.Version = p.version
}

func (p *hardenedProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerSchema()
}

func (p *hardenedProvider) ConfigValidators(context.Context) []provider.ConfigValidator {
	return providerConfigValidators()
}

// secretFieldKeys are log field names whose values are always masked.
var secretFieldKeys = []string{"api_token", "password", "private_key", "private_key_passphrase", "ticket", "token_secret"}

func (p *hardenedProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, secretFieldKeys...)
	if !req.Config.Raw.IsFullyKnown() {
		// Values known only after apply (e.g. an endpoint from another
		// resource): Terraform calls Configure again once they are known.
		// Resources and data sources see no provider data until then.
		tflog.Info(ctx, "provider configuration has unknown values; deferring client setup until they are known")
		return
	}
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	s, diags := resolve(m, envLookup)
	if sec := s.secrets(); len(sec) > 0 {
		ctx = tflog.MaskLogStrings(ctx, sec...)
	}
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	api, err := pve.New(pve.Config{
		Endpoint: s.Endpoint, APIToken: s.APIToken, Username: s.Username, Password: s.Password,
		Insecure: s.Insecure, CACertPEM: s.CAPEM, Timeout: s.Timeout,
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot create the PVE API client", redact(err.Error(), s.secrets()))
		return
	}
	baseline := baselineattr.Apply(ctx, policy.Default(), m.Baseline, &resp.Diagnostics)
	problems.Add(&resp.Diagnostics, policy.ValidateBaseline(baseline))
	if resp.Diagnostics.HasError() {
		return
	}
	clients := &providerdata.Clients{API: api, Nodes: providerdata.NewNodeChannels(s.NodeAccess, dialer(s, api)), AppArmorLoad: s.AppArmorLoad,
		Baseline: baseline}
	if s.AppArmorLoad == providerdata.AppArmorLoadCheck {
		resp.Diagnostics.AddAttributeWarning(path.Root("apparmor_load"), "AppArmor profiles are only checked, not loaded",
			"apparmor_load = \"check\" compiles the generated profiles but does not load them into the kernel: containers that use them cannot start "+
				"(or run unconfined on a kernel without AppArmor). Use it only with the simulator, in tests, or on nodes being prepared.")
	}

	tflog.Debug(ctx, "configured the hardened provider", map[string]any{
		"endpoint": s.Endpoint, "auth_method": s.AuthMethod, "user": api.User(), "insecure": s.Insecure,
		"custom_ca": len(s.CAPEM) > 0, "timeout": s.Timeout.String(), "node_access": s.NodeAccess, "node_root": s.NodeRoot,
	})
	if p.hook != nil {
		p.hook(s.NodeRoot, clients)
	}
	resp.ResourceData = clients
	resp.DataSourceData = clients
}

// dialer opens a node channel according to the settings.
func dialer(s settings, api *pve.Client) providerdata.Dialer {
	if s.NodeAccess == NodeAccessLocal {
		return func(context.Context, string) (nodefs.FS, error) { return nodefs.NewLocal(s.NodeRoot) }
	}
	secrets := s.secrets()
	addrs := &clusterAddrs{api: api}
	return func(ctx context.Context, node string) (nodefs.FS, error) {
		logCtx := tflog.MaskLogStrings(tflog.MaskFieldValuesWithFieldKeys(ctx, secretFieldKeys...), secrets...)
		var ips map[string]string
		if o := s.SSH.Nodes[node]; o.Address == "" {
			var err error
			if ips, err = addrs.get(ctx); err != nil {
				tflog.Warn(logCtx, "cannot read the nodes' cluster addresses; using the endpoint's host", map[string]any{"node": node, "error": err.Error()})
			}
		}
		t := pickSSHTarget(&s, node, ips)
		if t.Host == "" {
			return nil, fmt.Errorf("no SSH address for node %q: set ssh.nodes[%q].address", node, node)
		}
		tflog.Debug(logCtx, "dialling node channel", map[string]any{
			"node": node, "host": t.Host, "port": t.Port, "address_from": t.Source, "user": s.SSH.User, "sudo": s.SSH.Sudo,
			"known_hosts": s.SSH.KnownHostsFile, "agent": s.SSH.Agent, "node_root": s.NodeRoot,
		})
		f, err := dialSSH(ctx, s, t, node, secrets, logCtx)
		if err != nil {
			return nil, fmt.Errorf("%w (address of node %s from %s)", err, node, t.Source)
		}
		if !s.SSH.VerifyNodeIdentity {
			return f, nil
		}
		if err := verifyNodeIdentity(ctx, f, node, t); err != nil {
			_ = f.Close()
			return nil, err
		}
		return f, nil
	}
}

// dialSSH opens the SSH node channel to t for node.
func dialSSH(
	ctx context.Context, s settings, t sshTarget, node string, secrets []string,
	logCtx context.Context, //nolint:revive // logCtx carries the masking, ctx the deadline
) (nodefs.FS, error) {
	return nodefs.DialSSH(ctx, nodefs.SSHConfig{
		Host: t.Host, Port: t.Port, User: s.SSH.User, Sudo: s.SSH.Sudo, SFTPServer: s.SSH.SFTPServer,
		PrivateKey: s.SSH.PrivateKey, PrivateKeyPassphrase: s.SSH.Passphrase, UseAgent: s.SSH.Agent,
		KnownHostsFile: s.SSH.KnownHostsFile, InsecureIgnoreHostKey: s.SSH.InsecureIgnoreHostKey,
		Root: s.NodeRoot,
		Logf: func(format string, args ...any) {
			msg := redact(fmt.Sprintf(format, args...), secrets)
			if strings.HasPrefix(msg, "WARNING") {
				tflog.Warn(logCtx, msg, map[string]any{"node": node})
			} else {
				tflog.Debug(logCtx, msg, map[string]any{"node": node})
			}
		},
	})
}

// redact removes secret values from a text (belt and braces: the texts
// given to it are not expected to contain any).
func redact(text string, secrets []string) string {
	for _, s := range secrets {
		if s != "" {
			text = strings.ReplaceAll(text, s, "***")
		}
	}
	return text
}

func (p *hardenedProvider) Resources(context.Context) []func() resource.Resource {
	return append([]func() resource.Resource(nil), resources...)
}

func (p *hardenedProvider) DataSources(context.Context) []func() datasource.DataSource {
	return append([]func() datasource.DataSource(nil), dataSources...)
}
