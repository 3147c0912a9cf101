package textdist

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"kexec_laod", "kexec_load", 1}, {"", "abc", 3}, {"HC-FEAT-01", "HC-FEAT-001", 1}, {"bpf", "bpf", 0}, {"abc", "xyz", 3}} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"read", "ready", "write", "bead"}
	if got := Closest("raed", names, 2); got != "read" {
		t.Errorf("got %q", got)
	}
	if got := Closest("beed", names, 1); got != "bead" {
		t.Errorf("tie-free: got %q", got)
	}
	if got := Closest("unrelated", names, 2); got != "" {
		t.Errorf("nothing close: got %q", got)
	}
}
