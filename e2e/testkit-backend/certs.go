package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/boltrx/boltrx/auth"
)

// clientCertificateFields are the fields of testkit's ClientCertificate.
type clientCertificateFields struct {
	CertFile string  `json:"certfile"`
	KeyFile  string  `json:"keyfile"`
	Password *string `json:"password"`
}

// clientCertificateFromJSON reads testkit's ClientCertificate
// ({"name": "ClientCertificate", "data": {...}}).
func clientCertificateFromJSON(raw json.RawMessage) (auth.ClientCertificate, error) {
	var tv taggedValue
	if err := decodeJSON(raw, &tv); err != nil || tv.Name != "ClientCertificate" {
		return auth.ClientCertificate{}, backendErrorf("expected a ClientCertificate, got %s", raw)
	}
	var f clientCertificateFields
	if err := decodeJSON(tv.Data, &f); err != nil {
		return auth.ClientCertificate{}, backendErrorf("ClientCertificate: %v", err)
	}
	return auth.ClientCertificate{CertFile: f.CertFile, KeyFile: f.KeyFile, Password: f.Password}, nil
}

// certProvider is the client certificate provider of
// NewClientCertificateProvider: every new connection asks the test code,
// which says whether the certificate changed and which it is.
type certProvider struct {
	id    string
	calls *callbackHub
	ctx   context.Context // the connection's: GetCertificate has none
	log   *slog.Logger

	mu      sync.Mutex
	current *tls.Certificate
}

// GetCertificate asks the test code for the certificate, loading it when
// the test code says it was updated (or none was loaded yet).
func (p *certProvider) GetCertificate() *tls.Certificate {
	raw, err := p.calls.ask(p.ctx, "ClientCertificateProviderRequest", func(id string) any {
		return map[string]any{"id": id, "clientCertificateProviderId": p.id}
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.log.Warn("client certificate provider callback failed", "err", err)
		return p.current
	}
	var d struct {
		HasUpdate         bool            `json:"hasUpdate"`
		ClientCertificate json.RawMessage `json:"clientCertificate"`
	}
	if err := decodeJSON(raw, &d); err != nil {
		p.log.Warn("ClientCertificateProviderCompleted", "err", err)
		return p.current
	}
	if !d.HasUpdate && p.current != nil {
		return p.current
	}
	if isNull(d.ClientCertificate) {
		p.current = nil
		return nil
	}
	cc, err := clientCertificateFromJSON(d.ClientCertificate)
	if err == nil {
		var cert tls.Certificate
		cert, err = auth.LoadClientCertificate(cc)
		if err == nil {
			p.current = &cert
		}
	}
	if err != nil {
		p.log.Warn("loading the client certificate", "err", err)
	}
	return p.current
}

// trustedRoots loads the CA certificates of trustedCertificates; relative
// names are looked up in dir.
func trustedRoots(files []string, dir string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	for _, f := range files {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, backendErrorf("trusted certificate: %v", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, backendErrorf("trusted certificate %s: no PEM certificate in it", f)
		}
	}
	return pool, nil
}

// tlsConfigFor returns the TLS settings of NewDriver's encrypted and
// trustedCertificates fields, nil when encryption is not asked for.
// trusted is absent or null for the system's roots, an empty list to
// trust any certificate, or the CA files to trust.
func tlsConfigFor(encrypted *bool, trusted json.RawMessage, caDir string) (*tls.Config, error) {
	if encrypted == nil || !*encrypted {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if isNull(trusted) {
		return cfg, nil
	}
	var files []string
	if err := json.Unmarshal(trusted, &files); err != nil {
		return nil, backendErrorf("trustedCertificates: %v", err)
	}
	if len(files) == 0 {
		cfg.InsecureSkipVerify = true //nolint:gosec // testkit asks to trust any certificate
		return cfg, nil
	}
	roots, err := trustedRoots(files, caDir)
	if err != nil {
		return nil, err
	}
	cfg.RootCAs = roots
	return cfg, nil
}
