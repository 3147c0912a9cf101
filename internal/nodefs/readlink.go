package nodefs

import (
	"context"
	"os"
)

// Readlinker is implemented by both node channels: the target of a
// symbolic link, as stored (not resolved). The provider reads
// /etc/pve/local with it to check which node it reached.
type Readlinker interface {
	Readlink(ctx context.Context, path string) (string, error)
}

var (
	_ Readlinker = (*localFS)(nil)
	_ Readlinker = (*sshFS)(nil)
)

func (l *localFS) Readlink(ctx context.Context, p string) (string, error) {
	_, full, err := l.begin(ctx, p)
	if err != nil {
		return "", err
	}
	return os.Readlink(full)
}

func (s *sshFS) Readlink(ctx context.Context, p string) (string, error) {
	_, full, err := s.begin(ctx, p)
	if err != nil {
		return "", err
	}
	t, err := s.sftp.ReadLink(full)
	return t, pathErr("readlink", full, err)
}
