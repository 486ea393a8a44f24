package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/server/rawclient"
)

// rawFloor is the floor a driver's streaming is compared with: the same
// conversation as the drivers' (RUN, then PULL {n: 1000} while the server
// says has_more), read by a client that only dechunks the messages and
// counts the RECORDs, decoding nothing but the summaries. It returns
// records per second from the RUN to the last SUCCESS.
func rawFloor(ctx context.Context, uri string, rows int) (float64, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return 0, err
	}
	c, err := rawclient.Dial(ctx, u.Host, nil)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.Conn.SetDeadline(dl)
	}
	if _, err := c.Login(map[string]any{"scheme": "none"}, nil); err != nil {
		return 0, err
	}
	// Login read every answer it asked for, so nothing is buffered in the
	// rawclient's reader and a reader of our own can take over.
	cr := bolt.NewChunkReader(c.Conn, 0)
	dialect := c.Caps.Dialect(false)
	pull := &bolt.Pull{N: fetchSize, Qid: bolt.LastQuery}
	start := time.Now()
	run := &bolt.Run{Query: streamQuery, Params: map[string]any{"rows": int64(rows), "shape": shapeRows}}
	if err := c.Send(run, pull); err != nil {
		return 0, err
	}
	var resp bolt.Response
	n, summaries := 0, 0
	for {
		msg, err := cr.ReadMessage()
		if err != nil {
			return 0, err
		}
		// A message is a structure: its marker, then its tag.
		if len(msg) >= 2 && msg[1] == bolt.TagRecord {
			n++
			continue
		}
		if err := bolt.DecodeResponse(msg, c.Caps, dialect, &resp); err != nil {
			return 0, err
		}
		if resp.Kind != bolt.ResponseSuccess {
			return 0, fmt.Errorf("raw client: %v after %d records", resp.Kind, n)
		}
		summaries++
		if summaries == 1 { // the RUN's
			continue
		}
		if !resp.Success.HasMore {
			break
		}
		if err := c.Send(pull); err != nil {
			return 0, err
		}
	}
	elapsed := time.Since(start)
	if n != rows {
		return 0, fmt.Errorf("raw client: got %d records, want %d", n, rows)
	}
	return float64(n) / elapsed.Seconds(), nil
}
