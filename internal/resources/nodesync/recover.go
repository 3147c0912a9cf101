package nodesync

import (
	"context"
	"strings"

	"github.com/hardened-pve/terraform-provider-hardened/internal/apparmor"
	"github.com/hardened-pve/terraform-provider-hardened/internal/hardening"
	"github.com/hardened-pve/terraform-provider-hardened/internal/providerdata"
	"github.com/hardened-pve/terraform-provider-hardened/internal/seccomp"
)

// Recoverer reads the confinement files the provider wrote back into the
// typed settings they were rendered from: a generated AppArmor profile's
// name becomes "hardened" with its settings, a seccomp policy file's path
// its policy. It caches what it reads (containers with equal settings
// share their files), so a cluster audit reads each file once.
type Recoverer struct {
	c     *providerdata.Clients
	files map[string][]byte // node + "\x00" + path; nil: unreadable
}

// NewRecoverer returns a Recoverer over c's node channels.
func NewRecoverer(c *providerdata.Clients) *Recoverer {
	return &Recoverer{c: c, files: map[string][]byte{}}
}

func (r *Recoverer) read(ctx context.Context, node, path string) []byte {
	key := node + "\x00" + path
	if b, ok := r.files[key]; ok {
		return b
	}
	var b []byte
	if nfs, err := r.c.Nodes.FS(ctx, node); err == nil {
		b, _ = nfs.ReadFile(ctx, path)
	}
	r.files[key] = b
	return b
}

// Recover replaces, in an observed Spec, a generated AppArmor profile's
// name and a custom seccomp policy by the settings their files on the
// container's node hold, when those files are intact. A file that is
// missing, unreadable or edited leaves the Spec as observed.
func (r *Recoverer) Recover(ctx context.Context, s *hardening.Spec) {
	if strings.HasPrefix(s.AppArmorProfile, apparmor.NamePrefix) {
		if text := r.read(ctx, s.Node, apparmor.Dir+"/"+s.AppArmorProfile); text != nil {
			if a, ok := apparmor.Recover(s.AppArmorProfile, text, s.Features.Nesting, s.Features.Mount); ok {
				a.Nesting, a.MountFSTypes = false, nil // features, not apparmor settings
				s.AppArmorProfile, s.AppArmor = hardening.AppArmorHardened, a
			}
		}
	}
	if s.Seccomp.Mode == hardening.SeccompCustom && strings.HasPrefix(s.SeccompProfile, seccomp.Dir+"/") {
		if text := r.read(ctx, s.Node, s.SeccompProfile); text != nil {
			if p, ok := seccomp.Recover(s.SeccompProfile, text, s.Features.Keyctl, s.Features.Mknod); ok {
				p.Keyctl, p.Mknod = false, false // features, not seccomp settings
				s.Seccomp, s.SeccompProfile = p, ""
			}
		}
	}
}
