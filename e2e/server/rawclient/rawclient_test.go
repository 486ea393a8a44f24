package rawclient_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/boltrx/boltrx/bolt"
	"github.com/boltrx/boltrx/e2e/generator"
	"github.com/boltrx/boltrx/e2e/server/rawclient"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestConversation(t *testing.T) {
	s := generator.StartT(t, generator.Config{Shape: generator.ShapeInts, Rows: 3,
		Users: map[string]string{"u": "p"}})
	for _, v := range []bolt.Version{bolt.V3_0, bolt.V4_0, bolt.V5_1, bolt.V6_1} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := rawclient.Dial(ctx, s.Addr(), rawclient.Offer(v))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		c.Timeout = 10 * time.Second
		if c.Version != v {
			t.Fatalf("negotiated %v", c.Version)
		}
		// Routing is left out where HELLO cannot carry it.
		if h := c.Hello(nil, map[string]string{"address": "x"}); (h.Routing != nil) != c.Caps.RoutingContextInHello {
			t.Fatalf("%v: routing %v", v, h.Routing)
		}
		if _, err := c.Login(rawclient.BasicAuth("u", "p"), nil); err != nil {
			t.Fatal(err)
		}
		run, pull, err := c.Query("RETURN 1", nil, bolt.TxConfig{})
		if err != nil || run.Err() != nil || len(pull.Records) != 3 {
			t.Fatalf("%v: %v %v %d", v, err, run.Err(), len(pull.Records))
		}
		if err := c.Send(&bolt.Run{Query: "x"}, rawclient.PullAll()); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Reply(); err != nil {
			t.Fatal(err)
		}
		n, r, err := c.CountReply()
		if err != nil || n != 3 || r.Kind != bolt.ResponseSuccess {
			t.Fatalf("CountReply: %d %v %v", n, r.Kind, err)
		}
		c.Close()
	}
}

func TestReplyErr(t *testing.T) {
	ok := rawclient.Reply{Kind: bolt.ResponseSuccess}
	if ok.Err() != nil {
		t.Fatal("SUCCESS is an error")
	}
	failed := rawclient.Reply{Kind: bolt.ResponseFailure, Failure: bolt.Failure{Code: "Neo.ClientError.X", Message: "m"}}
	err := failed.Err()
	var f *bolt.Failure
	if !errors.Is(err, rawclient.ErrUnexpected) || !errors.As(err, &f) || f.Code != "Neo.ClientError.X" {
		t.Fatalf("FAILURE: %v", err)
	}
	ignored := rawclient.Reply{Kind: bolt.ResponseIgnored}
	if !errors.Is(ignored.Err(), rawclient.ErrUnexpected) {
		t.Fatal("IGNORED is not an error")
	}
}

func TestLoginFailure(t *testing.T) {
	s := generator.StartT(t, generator.Config{Users: map[string]string{"u": "p"}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := rawclient.Dial(ctx, s.Addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Timeout = 10 * time.Second
	var f *bolt.Failure
	if _, err := c.Login(rawclient.BasicAuth("u", "bad"), nil); !errors.As(err, &f) {
		t.Fatalf("got %v", err)
	}
}
