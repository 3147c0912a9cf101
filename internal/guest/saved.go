package guest

import (
	"context"
	"errors"
	"fmt"
)

// Saved is a file's content inside a container before a change: what
// Restore puts back.
type Saved struct {
	Path string
	Data []byte
	// Missing: the file did not exist (Restore removes it).
	Missing bool
}

// Save reads paths inside container vmid (pct pull each) so that a change
// to them can be undone with Restore.
func (c Channel) Save(ctx context.Context, vmid int, paths ...string) ([]Saved, error) {
	out := make([]Saved, 0, len(paths))
	for _, p := range paths {
		data, missing, err := c.Pull(ctx, vmid, p)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", p, err)
		}
		out = append(out, Saved{Path: p, Data: data, Missing: missing})
	}
	return out, nil
}

// Restore puts saved files back inside container vmid: the old content
// (pct push, owned by root with perms) or, for a file that did not exist,
// its removal (pct exec rm -f, the path one argv element). Every file is
// tried; the errors are joined.
func (c Channel) Restore(ctx context.Context, vmid int, saved []Saved, perms uint32) error {
	var errs []error
	for _, s := range saved {
		var err error
		if s.Missing {
			if err = CheckPath(s.Path); err == nil {
				_, err = c.Exec(ctx, vmid, "rm", "-f", "--", s.Path)
			}
		} else {
			err = c.Push(ctx, vmid, s.Path, s.Data, perms)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("restoring %s: %w", s.Path, err))
		}
	}
	return errors.Join(errs...)
}
