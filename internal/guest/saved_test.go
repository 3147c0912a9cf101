package guest

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// Save reads each file (a missing one recorded as such); Restore pushes the
// old content back and removes what did not exist, each path one argv
// element, and joins the errors of the files it could not put back.
func TestSaveRestore(t *testing.T) {
	ctx := context.Background()
	f := &fakeFS{files: map[string][]byte{}}
	ct := map[string][]byte{"/etc/a": []byte("old a")}
	f.run = func(argv []string) ([]byte, []byte, error) {
		switch {
		case argv[1] == "pull":
			b, ok := ct[argv[3]]
			if !ok {
				return nil, []byte("No such file or directory"), errors.New("exit status 1")
			}
			f.files[argv[4]] = b
		case argv[1] == "push" && argv[4] == "/etc/broken":
			return nil, []byte("push failed"), errors.New("exit status 255")
		case argv[1] == "push":
			ct[argv[4]] = f.files[argv[3]]
		case argv[1] == "exec":
			if strings.Join(argv[6:], " ") != "rm -f -- /etc/b" {
				t.Errorf("exec %q", argv)
			}
			delete(ct, argv[len(argv)-1])
		}
		return nil, nil, nil
	}
	c := Channel{FS: f}
	saved, err := c.Save(ctx, 100, "/etc/a", "/etc/b")
	if err != nil || len(saved) != 2 || string(saved[0].Data) != "old a" || saved[0].Missing || !saved[1].Missing {
		t.Fatalf("saved %+v %v", saved, err)
	}
	ct["/etc/a"], ct["/etc/b"] = []byte("new a"), []byte("new b")
	if err := c.Restore(ctx, 100, saved, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(ct) != 1 || string(ct["/etc/a"]) != "old a" {
		t.Fatalf("after restore %q", ct)
	}
	err = c.Restore(ctx, 100, []Saved{{Path: "/etc/broken", Data: []byte("x")}, {Path: "/etc/a", Data: []byte("again")}}, 0o644)
	if err == nil || !strings.Contains(err.Error(), "restoring /etc/broken") || string(ct["/etc/a"]) != "again" {
		t.Fatalf("a failing file stops nothing else and is reported: %v %q", err, ct)
	}
	if err := c.Restore(ctx, 100, []Saved{{Path: "-rf", Missing: true}}, 0o644); err == nil {
		t.Fatal("a relative path was removed")
	}
}
