package pve

import (
	"context"
	"fmt"
	"net/url"
)

// DownloadTemplate has PVE download a container template from rawURL into
// storage as file (POST .../download-url, a "download" task): PVE checks
// the checksum before it keeps the file. It waits for the task.
func (c *Client) DownloadTemplate(ctx context.Context, node, storage, file, rawURL, algo, checksum string) error {
	var upid string
	body := map[string]any{"content": "vztmpl", "filename": file, "url": rawURL, "checksum-algorithm": algo, "checksum": checksum}
	p := fmt.Sprintf("/nodes/%s/storage/%s/download-url", url.PathEscape(node), url.PathEscape(storage))
	if err := c.api.Post(ctx, p, body, &upid); err != nil {
		return fmt.Errorf("download %s into %s on %s: %w", file, storage, node, err)
	}
	if _, err := c.WaitTask(ctx, upid); err != nil {
		return fmt.Errorf("download %s into %s on %s: %w", file, storage, node, err)
	}
	return nil
}

// StorageVolume is one entry of a storage's content.
type StorageVolume struct {
	VolID string `json:"volid"`
	Size  int64  `json:"size"`
	CTime int64  `json:"ctime"`
}

// StorageContent lists a storage's volumes of one content type.
func (c *Client) StorageContent(ctx context.Context, node, storage, content string) ([]StorageVolume, error) {
	var list []StorageVolume
	p := fmt.Sprintf("/nodes/%s/storage/%s/content?content=%s", url.PathEscape(node), url.PathEscape(storage), url.QueryEscape(content))
	if err := c.api.Get(ctx, p, &list); err != nil {
		return nil, err
	}
	return list, nil
}

// DeleteVolume removes a volume (DELETE .../content/{volume}, an "imgdel"
// task) and waits for the task.
func (c *Client) DeleteVolume(ctx context.Context, node, storage, volid string) error {
	var upid string
	p := fmt.Sprintf("/nodes/%s/storage/%s/content/%s", url.PathEscape(node), url.PathEscape(storage), url.PathEscape(volid))
	if err := c.api.Delete(ctx, p, &upid); err != nil {
		return fmt.Errorf("delete %s: %w", volid, err)
	}
	if upid == "" {
		return nil
	}
	if _, err := c.WaitTask(ctx, upid); err != nil {
		return fmt.Errorf("delete %s: %w", volid, err)
	}
	return nil
}
