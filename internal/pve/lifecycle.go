package pve

import (
	"context"
	"fmt"
	"strconv"
)

// NextID asks /cluster/nextid (a JSON string on real PVE).
func (c *Client) NextID(ctx context.Context) (int, error) {
	var s string
	if err := c.api.Get(ctx, "/cluster/nextid", &s); err != nil {
		return 0, err
	}
	return strconv.Atoi(s)
}

// CreateCT creates a container. With vmid 0 a free VMID is allocated through
// /cluster/nextid and taken by the create under the client's allocation
// lock, so parallel creates of one provider run take successive VMIDs
// without a retry (the create call returns once PVE has reserved the VMID;
// the task runs after); the create is retried only when another client
// wins the race.
// It returns the VMID and the create task's UPID (not waited for).
func (c *Client) CreateCT(ctx context.Context, node string, vmid int, params map[string]any) (int, string, error) {
	const attempts = 20
	for i := 0; i < attempts; i++ {
		id, upid, err := c.createOnce(ctx, node, vmid, params)
		if err == nil {
			return id, upid, nil
		}
		if vmid == 0 && id != 0 && IsAlreadyExists(err) {
			// another client took the VMID: back off (with jitter, so
			// racing creates spread out) and ask for the next free one
			if err := sleepCtx(ctx, DefaultRetryPolicy.delay(min(i, 4))); err != nil {
				return 0, "", err
			}
			continue
		}
		return 0, "", err
	}
	return 0, "", fmt.Errorf("no free VMID after %d attempts (other clients keep taking them)", attempts)
}

// createOnce is one create attempt; with vmid 0 it allocates the VMID and
// creates under allocMu. id is 0 when no VMID could be allocated.
func (c *Client) createOnce(ctx context.Context, node string, vmid int, params map[string]any) (int, string, error) {
	id := vmid
	if id == 0 {
		c.allocMu.Lock()
		defer c.allocMu.Unlock()
		var err error
		if id, err = c.NextID(ctx); err != nil {
			return 0, "", fmt.Errorf("allocating a VMID: %w", err)
		}
	}
	body := make(map[string]any, len(params)+1)
	for k, v := range params {
		body[k] = v
	}
	body["vmid"] = id
	var upid string
	err := c.api.Post(ctx, fmt.Sprintf("/nodes/%s/lxc", node), body, &upid)
	return id, upid, err
}

// CTAction posts status/<action> (start, stop, shutdown, reboot) and returns the UPID.
func (c *Client) CTAction(ctx context.Context, node string, vmid int, action string, params map[string]any) (string, error) {
	var upid string
	err := c.api.Post(ctx, ctPath(node, vmid, "/status/"+action), params, &upid)
	return upid, err
}

// DeleteCT destroys a container (purge also drops it from jobs); returns the UPID.
func (c *Client) DeleteCT(ctx context.Context, node string, vmid int, purge, force bool) (string, error) {
	var upid string
	q := map[string]any{}
	if purge {
		q["purge"] = 1
	}
	if force {
		q["force"] = 1
	}
	err := c.api.DeleteWithParams(ctx, ctPath(node, vmid, ""), q, &upid)
	return upid, err
}
