package jobscfg

import (
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	in := "vzdump: backup-1f2e\n\tcomment nightly%3A all guests\n\tschedule 21:00\n\tall 1\n\tcompress zstd\n\tenabled 1\n\tmode snapshot\n\tprune-backups keep-daily=7,keep-weekly=4\n\tstorage local\n\n" +
		"realm-sync: ldap\n\tschedule daily\n\tenabled 0\n\trealm corp\n\n"
	f := Parse([]byte(in))
	if len(f.Sections) != 2 || len(f.Warnings) != 0 {
		t.Fatalf("sections %d warnings %v", len(f.Sections), f.Warnings)
	}
	s := f.Find("backup-1f2e")
	if s.Type != "vzdump" || s.Options["comment"] != "nightly: all guests" || s.Options["prune-backups"] != "keep-daily=7,keep-weekly=4" {
		t.Fatalf("section %+v", s)
	}
	want := strings.Replace(in, "\tschedule daily\n\tenabled 0\n\trealm corp", "\tschedule daily\n\tenabled 0\n\trealm corp", 1)
	if got := string(f.Render()); got != want {
		t.Fatalf("render:\n%s\nwant:\n%s", got, want)
	}
	if !f.Remove("ldap") || f.Remove("ldap") || len(f.Sections) != 1 {
		t.Fatal("Remove")
	}
}

func TestParseOddLines(t *testing.T) {
	f := Parse([]byte("# managed by hand\nvzdump: a\n\tschedule sat 02:00\n\tschedule daily\n\tquiet\nnot indented\n\nbroken\n"))
	a := f.Find("a")
	if a == nil || a.Options["schedule"] != "sat 02:00" || a.Options["quiet"] != "1" {
		t.Fatalf("section %+v", a)
	}
	if len(f.Warnings) != 3 {
		t.Fatalf("warnings %q", f.Warnings)
	}
}

func TestEncodeText(t *testing.T) {
	if got := EncodeText("a:b\nc ü"); got != "a%3Ab%0Ac %C3%BC" {
		t.Fatal(got)
	}
}
