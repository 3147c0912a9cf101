package providerdata

import (
	"context"
	"sync"
)

// runFiles caches node files read by the run's refreshes.
type runFiles struct {
	mu    sync.Mutex
	files map[string]*runFile // node + "\x00" + path
}

type runFile struct {
	once sync.Once
	b    []byte
	err  error
}

// RunFile reads path on node once per provider run, for the refreshes
// (Read) of a plan: containers with equal settings share their AppArmor
// profiles and seccomp policies, so a fleet's refresh reads each shared
// file once per node instead of once per container. Only refreshes may use
// it: a plan writes nothing, while Create and Update write the files they
// then read back (they read directly). A failed read is cached too (it is
// the run's observation: the file is missing or unreadable).
func (c *Clients) RunFile(ctx context.Context, node, path string) ([]byte, error) {
	key := node + "\x00" + path
	c.files.mu.Lock()
	if c.files.files == nil {
		c.files.files = map[string]*runFile{}
	}
	f := c.files.files[key]
	if f == nil {
		f = &runFile{}
		c.files.files[key] = f
	}
	c.files.mu.Unlock()
	f.once.Do(func() {
		nfs, err := c.Nodes.FS(ctx, node)
		if err != nil {
			f.err = err
			return
		}
		f.b, f.err = nfs.ReadFile(ctx, path)
	})
	return f.b, f.err
}
