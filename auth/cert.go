package auth

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"sync"
)

// ClientCertificate names the PEM files of a client certificate for mutual
// TLS.
type ClientCertificate struct {
	CertFile string  // PEM file with the certificate (and any intermediates)
	KeyFile  string  // PEM file with the private key
	Password *string // password of an encrypted key file; nil: not encrypted
}

// ClientCertificateProvider supplies the client certificate presented when
// the driver opens a TLS connection. Implementations must be safe for
// concurrent use.
type ClientCertificateProvider interface {
	// GetCertificate returns the certificate to present on the next TLS
	// handshake, or nil to present none.
	GetCertificate() *tls.Certificate
}

// ErrCertificate is wrapped by every error of loading a client certificate.
var ErrCertificate = errors.New("auth: cannot load client certificate")

// StaticClientCertificateProvider presents the same certificate for the
// driver's whole life.
type StaticClientCertificateProvider struct {
	certificate *tls.Certificate
}

// NewStaticClientCertificateProvider loads the certificate and key named by
// cert and returns a provider that always presents them.
func NewStaticClientCertificateProvider(cert ClientCertificate) (*StaticClientCertificateProvider, error) {
	loaded, err := LoadClientCertificate(cert)
	if err != nil {
		return nil, err
	}
	return &StaticClientCertificateProvider{certificate: &loaded}, nil
}

// GetCertificate returns the loaded certificate.
func (p *StaticClientCertificateProvider) GetCertificate() *tls.Certificate { return p.certificate }

// RotatingClientCertificateProvider presents a certificate that can be
// replaced at run time with UpdateCertificate; new connections use the
// newest certificate, open connections keep theirs.
type RotatingClientCertificateProvider struct {
	mu          sync.RWMutex
	certificate *tls.Certificate
}

// NewRotatingClientCertificateProvider loads the initial certificate and
// key named by cert.
func NewRotatingClientCertificateProvider(cert ClientCertificate) (*RotatingClientCertificateProvider, error) {
	p := &RotatingClientCertificateProvider{}
	if err := p.UpdateCertificate(cert); err != nil {
		return nil, err
	}
	return p, nil
}

// GetCertificate returns the current certificate.
func (p *RotatingClientCertificateProvider) GetCertificate() *tls.Certificate {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.certificate
}

// UpdateCertificate loads a new certificate and key and makes them the
// current ones. On error the current certificate stays in use.
func (p *RotatingClientCertificateProvider) UpdateCertificate(cert ClientCertificate) error {
	loaded, err := LoadClientCertificate(cert)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.certificate = &loaded
	p.mu.Unlock()
	return nil
}

// LoadClientCertificate reads the PEM certificate and key files named by
// cert. With a Password the key must be a PEM block encrypted the legacy
// OpenSSL way (RFC 1423, "Proc-Type: 4,ENCRYPTED"), which is what
// `openssl rsa -aes256` writes. Errors wrap ErrCertificate and name the
// file; they never contain the password.
func LoadClientCertificate(cert ClientCertificate) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(cert.CertFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%w: certificate file: %w", ErrCertificate, err)
	}
	keyPEM, err := os.ReadFile(cert.KeyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%w: key file: %w", ErrCertificate, err)
	}
	if cert.Password != nil {
		keyPEM, err = decryptKeyPEM(keyPEM, *cert.Password)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("%w: key file %s: %w", ErrCertificate, cert.KeyFile, err)
		}
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%w: %s and %s: %w", ErrCertificate, cert.CertFile, cert.KeyFile, err)
	}
	return pair, nil
}

// decryptKeyPEM decrypts the first PEM block of keyPEM with password and
// returns it re-encoded as an unencrypted PEM block.
func decryptKeyPEM(keyPEM []byte, password string) ([]byte, error) {
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	//lint:ignore SA1019 the standard library offers nothing else for legacy encrypted PEM keys.
	if !x509.IsEncryptedPEMBlock(block) {
		return nil, errors.New("a password was given but the key is not encrypted")
	}
	//lint:ignore SA1019 see above.
	der, err := x509.DecryptPEMBlock(block, []byte(password))
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: der}), nil
}
