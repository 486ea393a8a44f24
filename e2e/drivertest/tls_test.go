package drivertest_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/boltrx/boltrx"
	"github.com/boltrx/boltrx/e2e/boltstub"
)

// selfSigned returns a certificate for 127.0.0.1 and "localhost", and a
// pool holding it as a root.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "boltrx test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, roots
}

// tlsFront accepts TLS connections and relays each to backend in plain
// TCP; it stops with the test.
func tlsFront(t *testing.T, cert tls.Certificate, backend string) string {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer in.Close()
				if err := in.(*tls.Conn).Handshake(); err != nil {
					return // the client refused the certificate
				}
				out, err := net.Dial("tcp", backend)
				if err != nil {
					return
				}
				defer out.Close()
				done := make(chan struct{})
				go func() { _, _ = io.Copy(out, in); out.(*net.TCPConn).CloseWrite(); close(done) }()
				_, _ = io.Copy(in, out)
				in.Close()
				<-done
			}()
		}
	}()
	return l.Addr().String()
}

const helloOnly = head5 + `
C: HELLO {"user_agent": "boltrx/test", ...}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: LOGON {"scheme": "none"}
S: SUCCESS {}
`

func TestSelfSignedSchemeAcceptsAnyCertificate(t *testing.T) {
	cert, _ := selfSigned(t)
	srv := boltstub.Start(t, helloOnly)
	front := tlsFront(t, cert, srv.Addr())
	drv, err := boltrx.NewDriver("bolt+ssc://"+front, boltrx.NoAuth(), func(c *boltrx.Config) { c.UserAgent = "boltrx/test" })
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close(context.Background())
	if !drv.IsEncrypted() {
		t.Fatal("IsEncrypted = false for bolt+ssc")
	}
	if err := drv.VerifyConnectivity(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestVerifiedSchemeRejectsUnknownAuthority(t *testing.T) {
	cert, _ := selfSigned(t)
	srv := boltstub.Start(t, `
bolt 5.4
connections 1+
`)
	front := tlsFront(t, cert, srv.Addr())
	drv, err := boltrx.NewDriver("bolt+s://"+front, boltrx.NoAuth())
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close(context.Background())
	err = drv.VerifyConnectivity(ctxT(t))
	var unknown x509.UnknownAuthorityError
	if !boltrx.IsConnectivityError(err) || !errors.As(err, &unknown) {
		t.Fatalf("VerifyConnectivity = %v, want a connectivity error for the unknown authority", err)
	}
}

func TestCustomRootsVerifyTheServer(t *testing.T) {
	cert, roots := selfSigned(t)
	srv := boltstub.Start(t, helloOnly)
	front := tlsFront(t, cert, srv.Addr())
	drv, err := boltrx.NewDriver("bolt://"+front, boltrx.NoAuth(), func(c *boltrx.Config) {
		c.UserAgent = "boltrx/test"
		c.TLSConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close(context.Background())
	if err := drv.VerifyConnectivity(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestTLSConfigWithSecureSchemeIsUsageError(t *testing.T) {
	_, err := boltrx.NewDriver("neo4j+s://localhost", boltrx.NoAuth(), func(c *boltrx.Config) { c.TLSConfig = &tls.Config{} })
	if !errors.Is(err, boltrx.ErrUsage) {
		t.Fatalf("NewDriver = %v", err)
	}
}
