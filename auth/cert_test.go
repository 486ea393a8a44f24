package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeCertificate creates a self-signed certificate for commonName in dir
// and returns the paths of its certificate and key files. With a password
// the key file is encrypted the legacy PEM way.
func writeCertificate(t *testing.T, dir, commonName string, password *string) ClientCertificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: commonName},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyBlock := &pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}
	if password != nil {
		//lint:ignore SA1019 producing the legacy format the loader accepts.
		keyBlock, err = x509.EncryptPEMBlock(rand.Reader, keyBlock.Type, keyDER, []byte(*password), x509.PEMCipherAES256)
		if err != nil {
			t.Fatal(err)
		}
	}
	cert := ClientCertificate{
		CertFile: filepath.Join(dir, commonName+".crt"),
		KeyFile:  filepath.Join(dir, commonName+".key"),
		Password: password,
	}
	if err := os.WriteFile(cert.CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cert.KeyFile, pem.EncodeToMemory(keyBlock), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert
}

func commonNameOf(t *testing.T, p ClientCertificateProvider) string {
	t.Helper()
	c := p.GetCertificate()
	if c == nil || len(c.Certificate) == 0 {
		t.Fatal("provider has no certificate")
	}
	parsed, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return parsed.Subject.CommonName
}

func TestStaticProviderLoadsPlainKey(t *testing.T) {
	cert := writeCertificate(t, t.TempDir(), "alice", nil)
	p, err := NewStaticClientCertificateProvider(cert)
	if err != nil {
		t.Fatal(err)
	}
	if cn := commonNameOf(t, p); cn != "alice" {
		t.Fatalf("common name = %q", cn)
	}
}

func TestProviderLoadsEncryptedKey(t *testing.T) {
	password := "thepassword1"
	cert := writeCertificate(t, t.TempDir(), "bob", &password)
	p, err := NewStaticClientCertificateProvider(cert)
	if err != nil {
		t.Fatal(err)
	}
	if cn := commonNameOf(t, p); cn != "bob" {
		t.Fatalf("common name = %q", cn)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	password := "right-password"
	encrypted := writeCertificate(t, dir, "enc", &password)
	plain := writeCertificate(t, dir, "plain", nil)
	wrong := "wrong-password"
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]ClientCertificate{
		"missing cert":       {CertFile: filepath.Join(dir, "nope.crt"), KeyFile: plain.KeyFile},
		"missing key":        {CertFile: plain.CertFile, KeyFile: filepath.Join(dir, "nope.key")},
		"wrong password":     {CertFile: encrypted.CertFile, KeyFile: encrypted.KeyFile, Password: &wrong},
		"no password":        {CertFile: encrypted.CertFile, KeyFile: encrypted.KeyFile},
		"password for plain": {CertFile: plain.CertFile, KeyFile: plain.KeyFile, Password: &wrong},
		"garbage key":        {CertFile: plain.CertFile, KeyFile: garbage, Password: &wrong},
		"mismatched pair":    {CertFile: plain.CertFile, KeyFile: encrypted.KeyFile, Password: &password},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := NewStaticClientCertificateProvider(c)
			if !errors.Is(err, ErrCertificate) {
				t.Fatalf("err = %v, want ErrCertificate", err)
			}
			if strings.Contains(err.Error(), "password") && strings.Contains(err.Error(), wrong) {
				t.Fatalf("error reveals the password: %v", err)
			}
		})
	}
}

func TestRotatingProviderUpdates(t *testing.T) {
	dir := t.TempDir()
	p, err := NewRotatingClientCertificateProvider(writeCertificate(t, dir, "first", nil))
	if err != nil {
		t.Fatal(err)
	}
	if cn := commonNameOf(t, p); cn != "first" {
		t.Fatalf("common name = %q", cn)
	}
	if err := p.UpdateCertificate(writeCertificate(t, dir, "second", nil)); err != nil {
		t.Fatal(err)
	}
	if cn := commonNameOf(t, p); cn != "second" {
		t.Fatalf("after update common name = %q", cn)
	}
	if err := p.UpdateCertificate(ClientCertificate{CertFile: filepath.Join(dir, "missing")}); !errors.Is(err, ErrCertificate) {
		t.Fatalf("err = %v", err)
	}
	if cn := commonNameOf(t, p); cn != "second" {
		t.Fatalf("failed update replaced the certificate: %q", cn)
	}
}

func TestRotatingProviderConcurrentUse(t *testing.T) {
	dir := t.TempDir()
	p, err := NewRotatingClientCertificateProvider(writeCertificate(t, dir, "a", nil))
	if err != nil {
		t.Fatal(err)
	}
	next := writeCertificate(t, dir, "b", nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 20 {
			if err := p.UpdateCertificate(next); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 200 {
		if p.GetCertificate() == nil {
			t.Fatal("nil certificate during rotation")
		}
	}
	<-done
}
