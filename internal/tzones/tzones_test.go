package tzones

import "testing"

func TestValid(t *testing.T) {
	if n := Count(); n < 400 {
		t.Fatalf("only %d zones read from zone.tab", n)
	}
	for _, tz := range []string{"host", "UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Pacific/Auckland"} {
		if !Valid(tz) {
			t.Errorf("%q refused", tz)
		}
	}
	for _, tz := range []string{"", "utc", "US/Eastern", "Etc/GMT+1", "../../../etc/shadow", "/etc/localtime",
		"Europe/Berlin\n", "Europe/../Europe/Berlin", "Europe", "Mars/Olympus_Mons"} {
		if Valid(tz) {
			t.Errorf("%q accepted", tz)
		}
	}
}
