package hardening

import (
	"strings"
	"testing"
)

func TestValidateCapability(t *testing.T) {
	for _, c := range DefaultDropCapabilities {
		if err := ValidateCapability(c); err != nil {
			t.Errorf("default %s: %v", c, err)
		}
	}
	cases := map[string]string{
		"CAP_SYS_ADMIN": `write capability "CAP_SYS_ADMIN" as "sys_admin"`,
		"sys_amdin":     `"sys_amdin" is not a Linux capability`,
		"":              `"" is not a Linux capability`,
		"all":           `"all" is not a Linux capability`,
	}
	for in, want := range cases {
		err := ValidateCapability(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
	if len(AllCapabilities) != 41 {
		t.Errorf("capabilities(7) lists 41 capabilities (0..40), have %d", len(AllCapabilities))
	}
}
