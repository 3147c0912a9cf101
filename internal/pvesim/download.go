package pvesim

import (
	"context"
	"crypto/md5"  //nolint:gosec // PVE offers md5 as a checksum algorithm; the simulator computes what it is asked for
	"crypto/sha1" //nolint:gosec // as above
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

var (
	reVztmplExt       = regexp.MustCompile(`(?i)\.(tar|tar\.(gz|xz|zst|bz2))$`)
	reUnsafeFileChars = regexp.MustCompile(`[^a-zA-Z0-9_.-]`)
)

// normalizeContentFilename is PVE::Storage::normalize_content_filename.
func normalizeContentFilename(f string) string {
	f = strings.TrimSuffix(f, "\n")
	if i := strings.LastIndexAny(f, `/\`); i >= 0 {
		f = f[i+1:]
	}
	return reUnsafeFileChars.ReplaceAllString(f, "_")
}

// handleDownloadURL is POST /nodes/{node}/storage/{storage}/download-url
// for container templates (content vztmpl): a "download" task fetches the
// URL (certificates verified unless verify-certificates=0), checks the
// checksum when one is given and only then moves the file into place, as
// PVE::Tools::download_file_from_url does.
func (s *Sim) handleDownloadURL(rc *reqCtx) (any, error) {
	node, storage, content := rc.str("node"), rc.str("storage"), rc.str("content")
	sd := findStorage(storage)
	if sd == nil {
		return nil, dief("storage '%s' does not exist", storage)
	}
	if sd.typ != "dir" {
		return nil, dief("can't upload to storage type '%s', not a file based storage!", sd.typ)
	}
	if !sd.has(content) {
		return nil, dief("storage '%s' is not configured for content-type '%s'", storage, content)
	}
	if content != "vztmpl" {
		return nil, &apiError{status: 501, msg: "the simulator downloads container templates (vztmpl) only\n"}
	}
	filename := normalizeContentFilename(rc.str("filename"))
	if !reVztmplExt.MatchString(filename) {
		return nil, paramErr(map[string]string{"filename": "wrong file extension"})
	}
	algo, want := rc.str("checksum-algorithm"), rc.str("checksum")
	dest := filepath.Join(s.templateDir(), filename)
	url, verify := rc.str("url"), !rc.has("verify-certificates") || rc.flag("verify-certificates")
	return s.startTask(node, "download", filename, rc.user, s.timing.Stop, func(t *task) error {
		t.logf("downloading %s to %s", url, dest)
		if _, err := os.Stat(dest); err == nil {
			if algo == "" {
				return fmt.Errorf("refusing to override existing file '%s'", dest)
			}
			got, err := fileHash(algo, dest)
			if err != nil {
				return err
			}
			if strings.EqualFold(got, want) {
				t.logf("calculating checksum of existing file...OK, got correct file already, no need to download")
				return nil
			}
			return fmt.Errorf("checksum mismatch: got '%s' != expect '%s', aborting", got, want)
		}
		tmp := fmt.Sprintf("%s.tmp_dwnl.%d", dest, t.pid)
		defer func() { _ = os.Remove(tmp) }() // gone after the rename; removed on any failure
		if err := fetch(url, tmp, verify); err != nil {
			return fmt.Errorf("download failed: %w", err)
		}
		if algo != "" {
			got, err := fileHash(algo, tmp)
			if err != nil {
				return err
			}
			if !strings.EqualFold(got, want) {
				return fmt.Errorf("checksum mismatch: got '%s' != expect '%s'", got, want)
			}
			t.logf("calculating checksum...OK, checksum verified")
		}
		if err := os.Rename(tmp, dest); err != nil {
			return fmt.Errorf("unable to rename temporary file: %w", err)
		}
		t.logf("download of '%s' to '%s' finished", url, dest)
		return nil
	}, nil), nil
}

func fetch(url, dest string, verify bool) error {
	client := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: !verify}}} //nolint:gosec // verify-certificates=0 asks for exactly this
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, res.Status)
	}
	f, err := os.OpenFile(dest, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644) //nolint:gosec // templates are world-readable on PVE
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fileHash(algo, p string) (string, error) {
	var h hash.Hash
	switch algo {
	case "md5":
		h = md5.New() //nolint:gosec // see the import
	case "sha1":
		h = sha1.New() //nolint:gosec // see the import
	case "sha224":
		h = sha256.New224()
	case "sha256":
		h = sha256.New()
	case "sha384":
		h = sha512.New384()
	case "sha512":
		h = sha512.New()
	default:
		return "", fmt.Errorf("unknown checksum algorithm '%s'", algo)
	}
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// handleContentDelete is DELETE /nodes/{node}/storage/{storage}/content/{volume}
// for templates: Datastore.Allocate on the storage, then an "imgdel" task.
func (s *Sim) handleContentDelete(rc *reqCtx) (any, error) {
	node, storage, volume := rc.str("node"), rc.str("storage"), rc.str("volume")
	volid := volume
	if !strings.Contains(volume, ":") {
		volid = storage + ":" + volume
	}
	sid, name, _ := strings.Cut(volid, ":")
	if findStorage(sid) == nil {
		return nil, dief("storage '%s' does not exist", sid)
	}
	if err := rc.check("/storage/"+sid, "Datastore.Allocate"); err != nil {
		return nil, err
	}
	file, ok := strings.CutPrefix(name, "vztmpl/")
	if !ok || sid != "local" || strings.Contains(file, "/") {
		return nil, &apiError{status: 501, msg: "the simulator deletes container templates only\n"}
	}
	p := filepath.Join(s.templateDir(), file)
	return s.startTask(node, "imgdel", sid, rc.user, s.timing.Destroy, func(t *task) error {
		if err := os.Remove(p); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("volume '%s' does not exist", volid)
			}
			return err
		}
		t.logf("Removed volume '%s'", volid)
		return nil
	}, nil), nil
}
