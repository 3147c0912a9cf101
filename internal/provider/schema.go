package provider

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/providervalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/hardened-pve/terraform-provider-hardened/internal/attrs/baselineattr"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
)

// Node access modes.
const (
	NodeAccessSSH   = "ssh"
	NodeAccessLocal = "local"
)

// Defaults applied in Configure (provider schemas have no Default).
const (
	defaultTimeoutSeconds = 60
	defaultNodeRoot       = "/"
	defaultSSHUser        = "root"
	defaultSSHPort        = 22
	defaultKnownHosts     = "~/.ssh/known_hosts"
)

var nodeNameRE = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)

const providerDescription = "The `hardened` provider creates Proxmox VE LXC containers that are hardened " +
	"by construction (unprivileged, capabilities dropped, cgroup limits, AppArmor, default-deny firewall) " +
	"and keeps them so: any weakening made outside Terraform shows up in `terraform plan`.\n\n" +
	"It uses two channels: the PVE REST API (`endpoint` + an API token, or a username and password), and " +
	"the node's files (`/etc/pve/lxc/<vmid>.conf` raw `lxc.*` keys, `/etc/pve/firewall/<vmid>.fw`, AppArmor " +
	"profiles), reached over SSH/SFTP (`node_access = \"ssh\"`, the default) or directly when Terraform runs " +
	"on the node (`node_access = \"local\"`), because the PVE API cannot set raw `lxc.*` keys."

func providerSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: providerDescription,
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "URL of the PVE API, e.g. `https://pve1.example.com:8006` (`/api2/json` is added when missing). " +
					"No default: set it here or in `PROXMOX_VE_ENDPOINT`. Use `https://`: over plain `http://` the " +
					"API token or password travels in clear text (the provider warns). Unless `ssh.nodes` says otherwise, " +
					"the host of this URL is also the SSH address of every node.",
				Validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^https?://[^/?#]+`),
					"must be an http(s) URL such as https://pve1.example.com:8006")},
			},
			"api_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "PVE API token `user@realm!tokenid=secret` (environment: `PROXMOX_VE_API_TOKEN`). " +
					"No default. Exactly one authentication method is used: this token, or `username` + `password`. " +
					"A token is the least-privilege choice, but note that PVE treats even a `root@pam!name` token as " +
					"*not* `root@pam`: operations PVE reserves to `root@pam` (for example changing container " +
					"`features` other than `nesting`) need ticket authentication with `username`/`password`. " +
					"Treat it as a secret: it is never logged.",
				Validators: []validator.String{apiTokenValidator{}},
			},
			"username": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "PVE user with its realm, e.g. `root@pam`, for ticket authentication (environment: " +
					"`PROXMOX_VE_USERNAME`). No default; conflicts with `api_token`. Ticket authentication as exactly " +
					"`root@pam` is needed for PVE's root-only operations; prefer an API token otherwise.",
				Validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^[^\s@!]+@[^\s@!]+$`),
					"must be user@realm, e.g. root@pam")},
			},
			"password": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Password of `username` (environment: `PROXMOX_VE_PASSWORD`). No default; conflicts " +
					"with `api_token`. Keep it out of the configuration file (use the environment variable or a " +
					"sensitive variable): it is stored in neither state nor logs, but anyone who reads it is root of " +
					"the cluster when `username` is `root@pam`.",
			},
			"insecure": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Skip TLS certificate verification of the API endpoint (environment: " +
					"`PROXMOX_VE_INSECURE`). Default `false`. **Insecure**: anyone on the network path can then read " +
					"and alter the API traffic, including the token or password; the provider emits a warning. " +
					"Prefer `ca_file`/`ca_pem` for a self-signed PVE certificate.",
			},
			"ca_file": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Path of a PEM file with the CA certificate(s) that signed the API endpoint's " +
					"certificate, trusted in addition to the system roots (environment: `HARDENED_CA_FILE`; `~/` is " +
					"expanded). Default: the system roots only. On PVE the cluster CA is `/etc/pve/pve-root-ca.pem`. " +
					"This is the secure way to talk to a PVE with its own CA (instead of `insecure`). Conflicts with `ca_pem`.",
			},
			"ca_pem": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "PEM text of the CA certificate(s) to trust for the API endpoint, as `ca_file` but " +
					"inline. Default: the system roots only. Conflicts with `ca_file`.",
			},
			"timeout_seconds": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Timeout of one PVE API request in seconds. Default `60`. (Long-running PVE " +
					"tasks are polled with several requests, each bounded by this.)",
				Validators: []validator.Int64{int64validator.Between(1, 3600)},
			},
			"node_access": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How the provider reaches each node's files (`/etc/pve/lxc/<vmid>.conf`, " +
					"`/etc/pve/firewall/<vmid>.fw`, AppArmor profiles), which the PVE API cannot write: `\"ssh\"` " +
					"(default; SSH/SFTP to the node, host key verified against `known_hosts`, see `ssh`) or " +
					"`\"local\"` (Terraform runs on the PVE node itself, as root; every node name then maps to this " +
					"machine, so use it on single-node installations). Environment: `HARDENED_NODE_ACCESS`.",
				Validators: []validator.String{stringvalidator.OneOf(NodeAccessSSH, NodeAccessLocal)},
			},
			"node_root": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Absolute path prefixed to every node file path, on the node (`ssh`) or " +
					"locally (`local`). Default `/`, the node's real root: leave it unset on real clusters. It exists " +
					"for tests and the demo, which point it at the PVE simulator's data directory. Environment: " +
					"`HARDENED_NODE_ROOT`.",
				Validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^/`), "must be an absolute path")},
			},
			"apparmor_load": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How AppArmor profiles the provider writes to a node are loaded: `\"replace\"` (default: " +
					"`apparmor_parser --replace` on the node, the profile text on its standard input, no argument from the " +
					"configuration) or `\"check\"` (compile only, `apparmor_parser --skip-kernel-load`; for the simulator, " +
					"tests and nodes without AppArmor in the kernel, where containers would run unconfined: a warning says so).",
				Validators: []validator.String{stringvalidator.OneOf(providerdata.AppArmorLoadReplace, providerdata.AppArmorLoadCheck)},
			},
			"baseline": baselineattr.ProviderAttribute(),
			"ssh": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "SSH settings of the node channel (used when `node_access = \"ssh\"`, ignored with a " +
					"warning otherwise). The provider connects to each node as `username`, authenticates with " +
					"`private_key`/`private_key_file` and/or the SSH agent, verifies the node's host key against " +
					"`known_hosts_file`, and uses SFTP plus a few commands (`flock`, `apparmor_parser`, `pct`), as root: " +
					"logged in as `root`, or as another user with `sudo = true`. A node's " +
					"address is the host of `endpoint` unless `nodes` overrides it. Default: every setting below at its " +
					"default, with credentials from the environment (`PROXMOX_VE_SSH_*`).",
				Attributes: map[string]schema.Attribute{
					"username": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "SSH user (environment: `PROXMOX_VE_SSH_USERNAME`). Default `root`: writing " +
							"`/etc/pve` and loading AppArmor profiles needs root on the node. Another user needs `sudo = true` " +
							"and the sudoers rules given there (the nodes can then forbid root logins: `PermitRootLogin no`).",
					},
					"sudo":        sudoAttribute(),
					"sftp_server": sftpServerAttribute(),
					"private_key": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "Private key (PEM or OpenSSH format) for SSH authentication (environment: " +
							"`PROXMOX_VE_SSH_PRIVATE_KEY`). No default. Conflicts with `private_key_file`. A secret: " +
							"it is never logged; prefer `private_key_file` or the agent so it does not sit in variables.",
					},
					"private_key_file": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Path of the private key file (`~/` is expanded). No default. Conflicts " +
							"with `private_key`.",
					},
					"private_key_passphrase": schema.StringAttribute{
						Optional:            true,
						Sensitive:           true,
						MarkdownDescription: "Passphrase of an encrypted private key. No default. A secret: never logged.",
					},
					"agent": schema.BoolAttribute{
						Optional: true,
						MarkdownDescription: "Also authenticate with the keys of the SSH agent at `SSH_AUTH_SOCK` " +
							"(environment: `PROXMOX_VE_SSH_AGENT`). Default `false`. With `node_access = \"ssh\"` at " +
							"least one of a private key or the agent is required.",
					},
					"known_hosts_file": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "OpenSSH `known_hosts` file the nodes' host keys are verified against " +
							"(environment: `HARDENED_SSH_KNOWN_HOSTS`; `~/` is expanded). Default `~/.ssh/known_hosts`. " +
							"Plain and hashed entries, `host` (port 22) and `[host]:port` forms are understood. An " +
							"unknown or different host key stops the provider with an explanation: this is what " +
							"protects the node's root credentials and files from a man-in-the-middle.",
					},
					"insecure_ignore_host_key": schema.BoolAttribute{
						Optional: true,
						MarkdownDescription: "Disable SSH host key verification. Default `false`. **Insecure**: " +
							"anyone able to intercept the connection can impersonate the node, capture the SSH " +
							"session and tamper with the hardening files the provider writes. The provider warns " +
							"at every run; only for throw-away labs.",
					},
					"verify_node_identity": schema.BoolAttribute{
						Optional: true,
						MarkdownDescription: "After connecting, check that the machine is the node the connection " +
							"is for (`/etc/pve/local` links to `nodes/<node>`) and refuse it otherwise. Default " +
							"`true`: a wrong address (a stale override, a reused IP) would otherwise make the " +
							"provider write one node's AppArmor profiles on another. Only `false` in test setups " +
							"where several node names share one machine.",
					},
					"port": schema.Int64Attribute{
						Optional: true,
						MarkdownDescription: "SSH port of every node unless `nodes` overrides it (environment: " +
							"`HARDENED_SSH_PORT`). Default `22`.",
						Validators: []validator.Int64{int64validator.Between(1, 65535)},
					},
					"nodes": schema.MapNestedAttribute{
						Optional: true,
						MarkdownDescription: "Per-node SSH overrides, keyed by PVE node name (e.g. `pve2`). Default: " +
							"none: each node is reached at the IP address the cluster knows it by (`GET /cluster/status`, " +
							"which needs `Sys.Audit` on `/`), or at the host of `endpoint` when that cannot be read; " +
							"`port` is the SSH port. Set an address where the nodes' SSH is reached otherwise (a " +
							"management network, a jump host's forward).",
						Validators: []validator.Map{mapvalidator.KeysAre(stringvalidator.RegexMatches(nodeNameRE, "must be a PVE node name"))},
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"address": schema.StringAttribute{
								Optional: true,
								MarkdownDescription: "Host name or IP address of the node's SSH server. Default: the " +
									"host of `endpoint`. The host key is looked up in `known_hosts_file` under this name.",
								Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
							},
							"port": schema.Int64Attribute{
								Optional:            true,
								MarkdownDescription: "SSH port of the node. Default: `ssh.port` (22).",
								Validators:          []validator.Int64{int64validator.Between(1, 65535)},
							},
						}},
					},
				},
			},
		},
	}
}

func providerConfigValidators() []provider.ConfigValidator {
	return []provider.ConfigValidator{
		providervalidator.Conflicting(path.MatchRoot("api_token"), path.MatchRoot("username")),
		providervalidator.Conflicting(path.MatchRoot("api_token"), path.MatchRoot("password")),
		providervalidator.Conflicting(path.MatchRoot("ca_file"), path.MatchRoot("ca_pem")),
		providervalidator.Conflicting(path.MatchRoot("ssh").AtName("private_key"), path.MatchRoot("ssh").AtName("private_key_file")),
	}
}

// apiTokenValidator checks the token's shape without ever echoing the value
// (stringvalidator.RegexMatches would put the secret into the diagnostic).
type apiTokenValidator struct{}

func (apiTokenValidator) Description(context.Context) string {
	return "must look like user@realm!tokenid=secret"
}
func (v apiTokenValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (apiTokenValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := checkAPIToken(req.ConfigValue.ValueString()); err != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid API token", "api_token "+err+" (the value is not shown: it is a secret).")
	}
}
