package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/auth"
	"github.com/boltrx/boltrx/internal/clock"
)

// closeTimeout bounds closing the drivers a test left open when its
// connection ends.
const closeTimeout = 10 * time.Second

// backend serves one testkit connection. testkit opens a connection per
// test and sends one request at a time; the objects it creates (drivers,
// sessions, ...) live until the connection ends and are named by ids.
//
// One goroutine, the worker, handles the requests in order. A managed
// transaction's work function runs on that goroutine too and handles the
// requests of the test code's transaction function (TransactionRun,
// RetryablePositive, ...) until testkit decides the attempt's outcome.
// The connection's reader goroutine passes requests to the worker and
// hands the answers to callbacks straight to the callback waiting for
// them, since the worker may be blocked in the driver call that made the
// callback.
type backend struct {
	ctx      context.Context // ends with the connection
	out      *responseWriter
	requests <-chan request
	calls    *callbackHub
	ids      *idGen
	errors   errorRegistry
	log      *slog.Logger
	opts     options

	drivers          map[string]*boltrx.Driver
	sessions         map[string]*sessionEntry
	txs              map[string]*txEntry
	results          map[string]*boltrx.Result
	bookmarkManagers map[string]boltrx.BookmarkManager
	tokenManagers    map[string]auth.TokenManager
	certProviders    map[string]*certProvider

	fakeTime *clock.Fake // the driver's clock while a test fakes time
}

// options are the backend's command-line settings that change how
// requests are served.
type options struct {
	// caDir is where relative trustedCertificates file names are found.
	caDir string
	// driverLog, if set, receives the drivers' logs (and Bolt messages
	// when logBolt is set).
	driverLog *slog.Logger
	logBolt   bool
}

// serveConn serves one testkit connection until it ends.
func serveConn(ctx context.Context, conn io.ReadWriteCloser, log *slog.Logger, opts options) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ids := &idGen{}
	out := newResponseWriter(conn)
	calls := newCallbackHub(out, ids)
	requests := make(chan request, 16)
	b := &backend{
		ctx: ctx, out: out, requests: requests, calls: calls, ids: ids,
		errors: errorRegistry{errs: map[string]error{}}, log: log, opts: opts,
		drivers: map[string]*boltrx.Driver{}, sessions: map[string]*sessionEntry{},
		txs: map[string]*txEntry{}, results: map[string]*boltrx.Result{},
		bookmarkManagers: map[string]boltrx.BookmarkManager{},
		tokenManagers:    map[string]auth.TokenManager{}, certProviders: map[string]*certProvider{},
	}
	go func() {
		defer close(requests)
		defer calls.close()
		readRequests(ctx, newRequestReader(conn), calls, requests, log)
		cancel()
	}()
	go func() {
		<-ctx.Done()
		_ = conn.Close()
	}()
	for req := range requests {
		b.dispatch(req)
	}
	b.closeAll()
}

// readRequests reads the connection, delivering answers to callbacks to
// the hub and every other request to the worker.
func readRequests(ctx context.Context, rr *requestReader, calls *callbackHub, requests chan<- request, log *slog.Logger) {
	for {
		req, err := rr.next()
		if err != nil {
			if !errors.Is(err, io.EOF) && ctx.Err() == nil {
				log.Warn("reading request", "err", err)
			}
			return
		}
		if strings.HasSuffix(req.Name, "Completed") {
			if id, ok := completionID(req.Data); ok && calls.complete(id, req.Data) {
				continue
			}
			log.Warn("answer to no pending callback", "request", req.Name)
			continue
		}
		select {
		case requests <- req:
		case <-ctx.Done():
			return
		}
	}
}

// next waits for the next request of the test; false when the
// connection ended.
func (b *backend) next() (request, bool) {
	select {
	case req, ok := <-b.requests:
		return req, ok
	case <-b.ctx.Done():
		return request{}, false
	}
}

// dispatch handles one request and writes its response. A panic in the
// driver or the backend becomes a BackendError instead of ending the
// process.
func (b *backend) dispatch(req request) {
	prev := b.calls.setOpen(answeredWithCallbacks(req.Name))
	defer b.calls.setOpen(prev)
	b.log.Debug("request", "name", req.Name, "data", string(req.Data))
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("panic while handling a request", "request", req.Name, "panic", r, "stack", string(debug.Stack()))
			b.reply("BackendError", map[string]any{"msg": fmt.Sprintf("backend panic while handling %s: %v", req.Name, r)})
		}
	}()
	h, ok := handlers[req.Name]
	if !ok {
		b.fail(backendErrorf("unknown request %q", req.Name))
		return
	}
	name, data, err := h(b, req)
	if err != nil {
		b.fail(err)
		return
	}
	if name != "" {
		b.reply(name, data)
	}
}

// reply writes a response.
func (b *backend) reply(name string, data any) {
	b.log.Debug("response", "name", name)
	if err := b.out.write(name, data); err != nil {
		b.log.Warn("writing response", "name", name, "err", err)
	}
}

// fail writes the response for an error (see errorResponse).
func (b *backend) fail(err error) {
	name, data := b.errorResponse(err)
	b.log.Debug("error response", "name", name, "err", err)
	b.reply(name, data)
}

// answeredWithCallbacks reports whether testkit reads the answer to a
// request while serving callbacks (nutkit's Driver.receive), so that the
// driver's callbacks may be written while it is handled.
func answeredWithCallbacks(name string) bool {
	switch name {
	case "StartTest", "StartSubTest", "GetFeatures", "NewDriver",
		"NewBookmarkManager", "BookmarkManagerClose",
		"NewAuthTokenManager", "NewBasicAuthTokenManager", "NewBearerAuthTokenManager", "AuthTokenManagerClose",
		"NewClientCertificateProvider", "ClientCertificateProviderClose",
		"FakeTimeInstall", "FakeTimeTick", "FakeTimeUninstall":
		return false
	}
	return true
}

// closeAll closes the drivers a test left open, so that their
// connections and goroutines do not outlive the test.
func (b *backend) closeAll() {
	if b.fakeTime != nil {
		clock.Uninstall()
	}
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	for id, d := range b.drivers {
		if err := d.Close(ctx); err != nil {
			b.log.Warn("closing a driver left open", "driver", id, "err", err)
		}
	}
}
