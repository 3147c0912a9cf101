package policy

import (
	"reflect"
	"strings"
	"testing"
)

func TestEnvSecrets(t *testing.T) {
	for _, c := range []struct {
		env  []string
		want []string
	}{
		{nil, nil},
		{[]string{"LANG=C.UTF-8", "TZ=Europe/Berlin", "PATH=/usr/bin"}, nil},
		{[]string{"DB_PASSWORD=hunter2"}, []string{"entry DB_PASSWORD (secret-looking name)"}},
		{[]string{"db_passwd=x", "GITHUB_TOKEN=abc", "client_secret=s", "X_APIKEY=k", "STRIPE_API_KEY=k", "SSH_PRIVATE_KEY=k",
			"AWS_ACCESS_KEY=k", "GOOGLE_CREDENTIALS=k"}, []string{
			"entry db_passwd (secret-looking name)", "entry GITHUB_TOKEN (secret-looking name)", "entry client_secret (secret-looking name)",
			"entry X_APIKEY (secret-looking name)", "entry STRIPE_API_KEY (secret-looking name)", "entry SSH_PRIVATE_KEY (secret-looking name)",
			"entry AWS_ACCESS_KEY (secret-looking name)", "entry GOOGLE_CREDENTIALS (secret-looking name)"}},
		// empty values and pointers to secret files are fine
		{[]string{"DB_PASSWORD=", "DB_PASSWORD_FILE=/run/secrets/db", "TOKEN_PATH=/run/token"}, nil},
		// values with a secret's shape, whatever the name
		{[]string{"DATABASE_URL=postgres://app:s3cret@db:5432/app"}, []string{"entry DATABASE_URL (value contains credentials in a URL)"}},
		{[]string{"BACKUP=AKIAIOSFODNN7EXAMPLE"}, []string{"entry BACKUP (value contains an AWS access key ID)"}},
		{[]string{"KEY=-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn"}, []string{"entry KEY (value contains a private key block)"}},
		{[]string{"OPTS=--user admin password=hunter2"}, []string{"entry OPTS (value contains a password/token assignment)"}},
		{[]string{"GH=ghp_abcdefghijklmnopqrstuvwxyz0123456789"}, []string{"entry GH (value contains a GitHub token)"}},
		{[]string{"API_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789"}, []string{"entry API_TOKEN (secret-looking name; value contains a GitHub token)"}},
		// a malformed entry is named by position: the name may be the secret
		{[]string{"LANG=C", "AKIAIOSFODNN7EXAMPLE"}, []string{"entry #2 (contains an AWS access key ID)"}},
		{[]string{"LANG=C", "hunter2"}, nil},
	} {
		got := envSecrets(c.env)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("envSecrets(%q)\n got %q\nwant %q", c.env, got, c.want)
		}
		for _, h := range got {
			for _, secret := range []string{"hunter2", "s3cret", "AKIAIOSFODNN7EXAMPLE", "b3Blbn", "ghp_"} {
				if strings.Contains(h, secret) {
					t.Errorf("%q leaks %q", h, secret)
				}
			}
		}
	}
}

func TestTextSecrets(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"", nil},
		{"Web server for team A.\nOwner: alice. Credentials are in Vault.", nil},
		{"token=abc123", []string{"a password/token assignment (line 1)"}},
		{"Admin:\nroot password = hunter2", []string{"a password/token assignment (line 2)"}},
		{"x\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", []string{"a private key block (line 2)"}},
		{"keys AKIAIOSFODNN7EXAMPLE and https://bob:pw@example.com/",
			[]string{"an AWS access key ID (line 1)", "credentials in a URL (line 1)"}},
		{"see https://example.com/docs?x=1", nil},
		{"ASIAY34FZKBOKMUTVV7A", []string{"an AWS access key ID (line 1)"}},
		{"AKIAIOSFODNN7EXAMPL", nil}, // too short
	} {
		if got := textSecrets(c.text); !reflect.DeepEqual(got, c.want) {
			t.Errorf("textSecrets(%q)\n got %q\nwant %q", c.text, got, c.want)
		}
	}
}
