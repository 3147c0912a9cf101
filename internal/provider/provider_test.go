package provider

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/hardened-pve/terraform-provider-hardened/internal/policy"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
	"github.com/hardened-pve/terraform-provider-hardened/internal/testutil/sshd"
)

const (
	testToken    = "root@pam!ci=0b2d6f8e-5c1a-4d8e-9f00-secretsecret"
	testPassword = "pw-Very-Secret-42"
)

// every env var the provider reads, cleared for each test
var allEnv = []string{EnvEndpoint, EnvAPIToken, EnvUsername, EnvPassword, EnvInsecure, EnvSSHUsername,
	EnvSSHPrivateKey, EnvSSHAgent, EnvCAFile, EnvNodeAccess, EnvNodeRoot, EnvSSHKnownHosts, EnvSSHPort}

func clearEnv(t *testing.T) {
	for _, e := range allEnv {
		t.Setenv(e, "")
	}
}

func schemaType(t *testing.T) tftypes.Object {
	t.Helper()
	return providerSchema().Type().TerraformType(context.Background()).(tftypes.Object)
}

// obj builds an object of type typ; attributes not given are null.
func obj(typ tftypes.Object, vals map[string]tftypes.Value) tftypes.Value {
	full := map[string]tftypes.Value{}
	for k, at := range typ.AttributeTypes {
		if v, ok := vals[k]; ok {
			full[k] = v
		} else {
			full[k] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, full)
}

func s(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
func n(v int64) tftypes.Value  { return tftypes.NewValue(tftypes.Number, v) }
func b(v bool) tftypes.Value   { return tftypes.NewValue(tftypes.Bool, v) }

func sshObj(t *testing.T, vals map[string]tftypes.Value) tftypes.Value {
	return obj(schemaType(t).AttributeTypes["ssh"].(tftypes.Object), vals)
}

func config(t *testing.T, vals map[string]tftypes.Value) tfsdk.Config {
	t.Helper()
	return tfsdk.Config{Schema: providerSchema(), Raw: obj(schemaType(t), vals)}
}

func configure(t *testing.T, vals map[string]tftypes.Value, opts ...Option) *fwprovider.ConfigureResponse {
	t.Helper()
	p := New("test", opts...)()
	resp := &fwprovider.ConfigureResponse{}
	p.Configure(context.Background(), fwprovider.ConfigureRequest{Config: config(t, vals)}, resp)
	return resp
}

// attrs walks a provider schema's attributes with their paths.
func walk(prefix string, attrs map[string]schema.Attribute, f func(string, schema.Attribute)) {
	for name, a := range attrs {
		p := prefix + name
		f(p, a)
		switch na := a.(type) {
		case schema.SingleNestedAttribute:
			walk(p+".", na.Attributes, f)
		case schema.MapNestedAttribute:
			walk(p+"[*].", na.NestedObject.Attributes, f)
		}
	}
}

func TestSchema(t *testing.T) {
	sch := providerSchema()
	if d := sch.ValidateImplementation(context.Background()); d.HasError() {
		t.Fatalf("invalid schema: %v", d)
	}
	count := 0
	walk("", sch.Attributes, func(p string, a schema.Attribute) {
		count++
		desc := a.GetMarkdownDescription()
		if desc == "" {
			t.Errorf("%s has no MarkdownDescription", p)
		}
		if !strings.Contains(strings.ToLower(desc), "default") {
			t.Errorf("%s: the description does not state the default: %q", p, desc)
		}
	})
	if want := 27 + len(policy.Settings()); count != want {
		t.Errorf("schema has %d attributes, the test expects %d: update the docs and this test", count, want)
	}
	for _, p := range []string{"api_token", "password"} {
		if !sch.Attributes[p].IsSensitive() {
			t.Errorf("%s must be sensitive", p)
		}
	}
	sshAttrs := sch.Attributes["ssh"].(schema.SingleNestedAttribute).Attributes
	for _, p := range []string{"private_key", "private_key_passphrase"} {
		if !sshAttrs[p].IsSensitive() {
			t.Errorf("ssh.%s must be sensitive", p)
		}
	}
}

func server(t *testing.T) tfprotov6.ProviderServer {
	t.Helper()
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func TestProviderServerSchema(t *testing.T) {
	resp, err := server(t).GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("diagnostic: %s: %s", d.Summary, d.Detail)
	}
	if _, ok := resp.ResourceSchemas["hardened_container"]; !ok {
		t.Errorf("hardened_container is not registered")
	}
	if _, ok := resp.DataSourceSchemas["hardened_nodes"]; !ok {
		t.Errorf("hardened_nodes is not registered")
	}
}

func TestValidateConfig(t *testing.T) {
	typ := schemaType(t)
	cases := []struct {
		name string
		vals map[string]tftypes.Value
		want string // "" = valid
	}{
		{"token", map[string]tftypes.Value{"endpoint": s("https://pve:8006"), "api_token": s(testToken)}, ""},
		{"ticket", map[string]tftypes.Value{"username": s("root@pam"), "password": s(testPassword)}, ""},
		{"empty (env may fill it)", nil, ""},
		{"token and username", map[string]tftypes.Value{"api_token": s(testToken), "username": s("root@pam")}, "cannot be configured together"},
		{"token and password", map[string]tftypes.Value{"api_token": s(testToken), "password": s(testPassword)}, "cannot be configured together"},
		{"bad token", map[string]tftypes.Value{"api_token": s("root@pam=" + testPassword)}, "'!tokenid' part is missing"},
		{"ca file and pem", map[string]tftypes.Value{"ca_file": s("/x"), "ca_pem": s("y")}, "cannot be configured together"},
		{"mode", map[string]tftypes.Value{"node_access": s("nfs")}, `value must be one of: ["ssh" "local"]`},
		{"relative root", map[string]tftypes.Value{"node_root": s("data")}, "must be an absolute path"},
		{"endpoint", map[string]tftypes.Value{"endpoint": s("pve1:8006")}, "must be an http(s) URL"},
		{"username without realm", map[string]tftypes.Value{"username": s("root")}, "must be user@realm"},
		{"timeout", map[string]tftypes.Value{"timeout_seconds": n(0)}, "must be between 1 and 3600"},
		{"key and key file", map[string]tftypes.Value{"ssh": sshObj(t, map[string]tftypes.Value{
			"private_key": s("k"), "private_key_file": s("/k")})}, "cannot be configured together"},
		{"ssh port", map[string]tftypes.Value{"ssh": sshObj(t, map[string]tftypes.Value{"port": n(70000)})}, "must be between 1 and 65535"},
		{"node key", map[string]tftypes.Value{"ssh": sshObj(t, map[string]tftypes.Value{
			"nodes": tftypes.NewValue(typ.AttributeTypes["ssh"].(tftypes.Object).AttributeTypes["nodes"], map[string]tftypes.Value{
				"bad_name": obj(typ.AttributeTypes["ssh"].(tftypes.Object).AttributeTypes["nodes"].(tftypes.Map).ElementType.(tftypes.Object),
					map[string]tftypes.Value{"port": n(2222)}),
			})})}, "must be a PVE node name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dv, err := tfprotov6.NewDynamicValue(typ, obj(typ, tc.vals))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := server(t).ValidateProviderConfig(context.Background(), &tfprotov6.ValidateProviderConfigRequest{Config: &dv})
			if err != nil {
				t.Fatal(err)
			}
			var errs []string
			for _, d := range resp.Diagnostics {
				if d.Severity == tfprotov6.DiagnosticSeverityError {
					errs = append(errs, d.Summary+": "+d.Detail)
				}
			}
			all := strings.Join(errs, "\n")
			if strings.Contains(all, testToken) || strings.Contains(all, testPassword) {
				t.Errorf("a diagnostic reveals a secret:\n%s", all)
			}
			switch {
			case tc.want == "" && len(errs) > 0:
				t.Errorf("unexpected errors:\n%s", all)
			case tc.want != "" && !strings.Contains(all, tc.want):
				t.Errorf("want an error containing %q, got:\n%s", tc.want, all)
			}
		})
	}
}

func writeKey(t *testing.T) (string, []byte) {
	t.Helper()
	pemBytes, _ := sshd.GenKey(t, "ed25519", nil)
	p := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(p, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return p, pemBytes
}

func diagText(diags diag.Diagnostics) string {
	var out []string
	for _, d := range diags {
		line := d.Severity().String() + ": " + d.Summary() + ": " + d.Detail()
		if wp, ok := d.(diag.DiagnosticWithPath); ok {
			line = wp.Path().String() + ": " + line
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func findDiag(diags diag.Diagnostics, p path.Path) diag.Diagnostic {
	for _, d := range diags {
		if wp, ok := d.(diag.DiagnosticWithPath); ok && wp.Path().Equal(p) {
			return d
		}
	}
	return nil
}

// TestConfigureErrors: the exact texts and the attributes they are attached to.
func TestConfigureErrors(t *testing.T) {
	keyFile, _ := writeKey(t)
	encPEM, _ := sshd.GenKey(t, "ed25519", []byte("passphrase"))
	encFile := filepath.Join(t.TempDir(), "enc")
	if err := os.WriteFile(encFile, encPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	badCA := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(badCA, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tok := s(testToken)
	cases := []struct {
		name string
		vals map[string]tftypes.Value
		path path.Path
		want string
	}{
		{"no endpoint", map[string]tftypes.Value{"api_token": tok, "node_access": s("local")},
			path.Root("endpoint"), "endpoint is not set: set `endpoint` or PROXMOX_VE_ENDPOINT"},
		{"no credentials", map[string]tftypes.Value{"endpoint": s("https://pve:8006"), "node_access": s("local")},
			path.Root("api_token"), "No credentials are set: set `api_token` (or PROXMOX_VE_API_TOKEN)"},
		{"no ssh credentials", map[string]tftypes.Value{"endpoint": s("https://pve:8006"), "api_token": tok},
			path.Root("ssh").AtName("private_key"), `node_access is "ssh" but no SSH credentials are set`},
		{"missing key file", map[string]tftypes.Value{"endpoint": s("https://pve:8006"), "api_token": tok,
			"ssh": sshObj(t, map[string]tftypes.Value{"private_key_file": s("/nonexistent/key")})},
			path.Root("ssh").AtName("private_key_file"), "ssh.private_key_file: open /nonexistent/key: no such file or directory"},
		{"garbage key", map[string]tftypes.Value{"endpoint": s("https://pve:8006"), "api_token": tok,
			"ssh": sshObj(t, map[string]tftypes.Value{"private_key": s("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n")})},
			path.Root("ssh").AtName("private_key"), "ssh.private_key: cannot parse the private key"},
		{"encrypted key without passphrase", map[string]tftypes.Value{"endpoint": s("https://pve:8006"), "api_token": tok,
			"ssh": sshObj(t, map[string]tftypes.Value{"private_key_file": s(encFile)})},
			path.Root("ssh").AtName("private_key_file"), "the private key is passphrase-protected: set ssh.private_key_passphrase"},
		{"wrong passphrase", map[string]tftypes.Value{"endpoint": s("https://pve:8006"), "api_token": tok,
			"ssh": sshObj(t, map[string]tftypes.Value{"private_key_file": s(encFile), "private_key_passphrase": s("wrong")})},
			path.Root("ssh").AtName("private_key_file"), "wrong ssh.private_key_passphrase"},
		{"bad CA", map[string]tftypes.Value{"endpoint": s("https://pve:8006"), "api_token": tok, "node_access": s("local"), "ca_file": s(badCA)},
			path.Root("ca_file"), "does not contain a PEM certificate"},
		{"bad CA pem", map[string]tftypes.Value{"endpoint": s("https://pve:8006"), "api_token": tok, "node_access": s("local"), "ca_pem": s("x")},
			path.Root("ca_pem"), "ca_pem does not contain a PEM certificate"},
		{"endpoint without host", map[string]tftypes.Value{"endpoint": s("https:///api2/json"), "api_token": tok, "node_access": s("local")},
			path.Root("endpoint"), "must be an http(s) URL with a host"},
		{"port in node address", map[string]tftypes.Value{"endpoint": s("https://pve:8006"), "api_token": tok,
			"ssh": sshObj(t, map[string]tftypes.Value{"private_key_file": s(keyFile),
				"nodes": tftypes.NewValue(schemaType(t).AttributeTypes["ssh"].(tftypes.Object).AttributeTypes["nodes"], map[string]tftypes.Value{
					"pve1": obj(schemaType(t).AttributeTypes["ssh"].(tftypes.Object).AttributeTypes["nodes"].(tftypes.Map).ElementType.(tftypes.Object),
						map[string]tftypes.Value{"address": s("10.0.0.1:22")}),
				})})},
			path.Root("ssh").AtName("nodes").AtMapKey("pve1").AtName("address"), `contains a port: set ssh.nodes["pve1"].port instead`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			resp := configure(t, tc.vals)
			text := diagText(resp.Diagnostics)
			d := findDiag(resp.Diagnostics, tc.path)
			if d == nil || !strings.Contains(d.Detail(), tc.want) {
				t.Fatalf("want an error on %s containing %q, got:\n%s", tc.path, tc.want, text)
			}
			if strings.Contains(text, testToken) || strings.Contains(text, "AAAA") {
				t.Errorf("a diagnostic reveals a secret:\n%s", text)
			}
			if resp.ResourceData != nil || resp.DataSourceData != nil {
				t.Error("provider data set despite errors")
			}
		})
	}
}

func TestConfigureUnknown(t *testing.T) {
	clearEnv(t)
	resp := configure(t, map[string]tftypes.Value{"endpoint": tftypes.NewValue(tftypes.String, tftypes.UnknownValue), "api_token": s(testToken)})
	if len(resp.Diagnostics) != 0 || resp.ResourceData != nil || resp.DataSourceData != nil {
		t.Fatalf("unknown values: want a silent skip, got data %v and %s", resp.ResourceData, diagText(resp.Diagnostics))
	}
}

func TestConfigureLocal(t *testing.T) {
	clearEnv(t)
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc/pve"), 0o755); err != nil {
		t.Fatal(err)
	}
	var hookRoot string
	resp := configure(t, map[string]tftypes.Value{"endpoint": s("https://pve:8006"), "api_token": s(testToken),
		"node_access": s("local"), "node_root": s(root)},
		WithConfigureHook(func(r string, _ *providerdata.Clients) { hookRoot = r }))
	if resp.Diagnostics.HasError() {
		t.Fatal(diagText(resp.Diagnostics))
	}
	c, ok := resp.ResourceData.(*providerdata.Clients)
	if !ok || resp.DataSourceData != resp.ResourceData {
		t.Fatalf("provider data: %T %T", resp.ResourceData, resp.DataSourceData)
	}
	if c.API.User() != "root@pam!ci" || c.API.IsRootPam() || c.Nodes.Mode != "local" || hookRoot != root {
		t.Errorf("clients: user %q mode %q hook root %q", c.API.User(), c.Nodes.Mode, hookRoot)
	}
	fsys, err := c.Nodes.FS(context.Background(), "pve1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fsys.Stat(context.Background(), "/etc/pve"); err != nil {
		t.Errorf("node channel is not rooted at node_root: %v", err)
	}
	_ = c.Nodes.Close()
}

func TestConfigureWarnings(t *testing.T) {
	clearEnv(t)
	keyFile, _ := writeKey(t)
	resp := configure(t, map[string]tftypes.Value{"endpoint": s("http://pve:8006"), "api_token": s(testToken), "insecure": b(true),
		"ssh": sshObj(t, map[string]tftypes.Value{"private_key_file": s(keyFile), "insecure_ignore_host_key": b(true)})})
	if resp.Diagnostics.HasError() {
		t.Fatal(diagText(resp.Diagnostics))
	}
	for p, want := range map[string]string{
		"endpoint":                     "PVE API endpoint uses plain HTTP",
		"insecure":                     "TLS certificate verification of the PVE API is DISABLED",
		"ssh.insecure_ignore_host_key": "SSH host key verification is DISABLED",
	} {
		var pp path.Path
		if strings.HasPrefix(p, "ssh.") {
			pp = path.Root("ssh").AtName(strings.TrimPrefix(p, "ssh."))
		} else {
			pp = path.Root(p)
		}
		d := findDiag(resp.Diagnostics, pp)
		if d == nil || d.Severity() != diag.SeverityWarning || d.Summary() != want {
			t.Errorf("want warning %q on %s, got:\n%s", want, p, diagText(resp.Diagnostics))
		}
	}
	if resp.ResourceData == nil {
		t.Error("warnings must not stop configuration")
	}
}

// TestConfigureLogsNoSecrets: the debug logs of Configure, of the node
// channel and of the API requests (the pve subsystem) carry no token,
// password, ticket, CSRF token or key.
func TestConfigureLogsNoSecrets(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvPassword, testPassword)
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	keyFile, keyPEM := writeKey(t)
	const ticket, csrf = "PVE:root@pam:65F0A1B2::ticket-Secret-77", "65F0A1B2:csrf-Secret-88"
	// a PVE API that wants a login (ticket authentication with the password) and then answers
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch c, _ := r.Cookie("PVEAuthCookie"); {
		case r.URL.Path == "/api2/json/access/ticket":
			_, _ = fmt.Fprintf(w, `{"data":{"ticket":%q,"CSRFPreventionToken":%q,"username":"root@pam"}}`, ticket, csrf)
		case c == nil && r.Header.Get("Authorization") == "":
			w.WriteHeader(http.StatusUnauthorized)
		default:
			_, _ = w.Write([]byte(`{"data":{"version":"9.1.1","release":"9.1","repoid":"x"}}`))
		}
	}))
	defer srv.Close()
	for _, vals := range []map[string]tftypes.Value{
		{"endpoint": s("https://pve:8006"), "api_token": s(testToken), "node_access": s("local")},
		{"endpoint": s("https://127.0.0.1:8006"), "username": s("root@pam"),
			"ssh": sshObj(t, map[string]tftypes.Value{"private_key_file": s(keyFile), "port": n(1), "known_hosts_file": s("/nonexistent")})},
		{"endpoint": s(srv.URL), "username": s("root@pam"), "insecure": b(true), "node_access": s("local")},
	} {
		p := New("test")()
		resp := &fwprovider.ConfigureResponse{}
		p.Configure(ctx, fwprovider.ConfigureRequest{Config: config(t, vals)}, resp)
		if resp.Diagnostics.HasError() {
			t.Fatal(diagText(resp.Diagnostics))
		}
		c := resp.ResourceData.(*providerdata.Clients)
		if vals["endpoint"].Equal(s(srv.URL)) {
			if _, err := c.API.API().Version(ctx); err != nil { // logs in, then asks: three requests
				t.Fatal(err)
			}
			continue
		}
		_, _ = c.Nodes.FS(ctx, "pve1") // the ssh dial fails (port 1); it logs
	}
	out := buf.String()
	for _, want := range []string{"configured the hardened provider", "dialling node channel", `"path":"/api2/json/access/ticket"`,
		`"path":"/api2/json/version"`} {
		if !strings.Contains(out, want) {
			t.Fatalf("expected %s in the debug logs, got:\n%s", want, out)
		}
	}
	_, secret, _ := strings.Cut(testToken, "=")
	keyBody := strings.Split(string(keyPEM), "\n")[1]
	for _, sec := range []string{testToken, secret, testPassword, keyBody, ticket, "ticket-Secret", csrf} {
		if strings.Contains(out, sec) {
			t.Errorf("the logs contain a secret (%.6s...):\n%s", sec, out)
		}
	}
}
