package pve

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TaskError is a task that ended with an error; Log holds the tail of its log.
type TaskError struct {
	UPID, ExitStatus string
	Log              []string
}

func (e *TaskError) Error() string {
	msg := fmt.Sprintf("task %s failed: %s", e.UPID, e.ExitStatus)
	if len(e.Log) > 0 {
		msg += "\nlast log lines:\n  " + strings.Join(e.Log, "\n  ")
	}
	return msg
}

// Succeeded is PVE's status_is_error negated: "OK" and "WARNINGS: n" are success.
func Succeeded(exit string) bool { return exit == "OK" || strings.HasPrefix(exit, "WARNINGS: ") }

// upidNode extracts the node from a UPID.
func upidNode(upid string) (string, error) {
	parts := strings.Split(upid, ":")
	if len(parts) < 9 || parts[0] != "UPID" {
		return "", fmt.Errorf("not a UPID: %q", upid)
	}
	return parts[1], nil
}

// WaitTask polls a task adaptively (fast first, then backing off to 1 s) until
// it stops or ctx ends. A failed task returns *TaskError with its log tail.
// The first poll waits a moment too: a worker PVE has just forked never
// stops within a round trip, so an immediate poll is a wasted call.
func (c *Client) WaitTask(ctx context.Context, upid string) (string, error) {
	node, err := upidNode(upid)
	if err != nil {
		return "", err
	}
	base := fmt.Sprintf("/nodes/%s/tasks/%s", node, url.PathEscape(upid))
	delay := 20 * time.Millisecond
	for {
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("waiting for task %s: %w", upid, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*2, time.Second)
		var st struct {
			Status     string `json:"status"`
			ExitStatus string `json:"exitstatus"`
		}
		if err := c.api.Get(ctx, base+"/status", &st); err != nil {
			return "", fmt.Errorf("task %s: %w", upid, err)
		}
		if st.Status == "stopped" {
			if Succeeded(st.ExitStatus) {
				return st.ExitStatus, nil
			}
			return st.ExitStatus, &TaskError{UPID: upid, ExitStatus: st.ExitStatus, Log: c.taskLogTail(ctx, base, 10)}
		}
	}
}

func (c *Client) taskLogTail(ctx context.Context, base string, n int) []string {
	var lines []struct {
		N int    `json:"n"`
		T string `json:"t"`
	}
	if err := c.api.Get(ctx, base+"/log?start=0&limit=5000", &lines); err != nil {
		return nil
	}
	out := make([]string, 0, n)
	for i := max(0, len(lines)-n); i < len(lines); i++ {
		out = append(out, lines[i].T)
	}
	return out
}
