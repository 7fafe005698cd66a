package plugintest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Cert is a self-signed test certificate for 127.0.0.1, ::1 and
// localhost, which is also its own certificate authority.
type Cert struct {
	// Pair is the certificate with its key, for a server.
	Pair tls.Certificate
	// Cert is the parsed certificate.
	Cert *x509.Certificate
	// PEMFile is a file holding the certificate in PEM, to trust it as a
	// CA (a plugin's ca_file).
	PEMFile string
}

// NewCert makes a certificate with the common name name that expires at
// notAfter (and became valid 30 days ago).
func NewCert(t testing.TB, name string, notAfter time.Time) Cert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-30 * 24 * time.Hour),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pemFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return Cert{Pair: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, Cert: cert, PEMFile: pemFile}
}

// Server is a listener Serve started.
type Server struct {
	// Host is the address listened on, e.g. "127.0.0.1" or "::1".
	Host string
	Port int
}

// Serve listens on addr ("127.0.0.1:0" or "[::1]:0"), with TLS when cert
// is given, and runs handle for each connection (after the TLS handshake;
// handle need not close the connection). Everything stops when the test
// ends: the listener, the connections, and Serve waits for the handlers.
func Serve(t testing.TB, addr string, cert *Cert, handle func(net.Conn)) Server {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listening on %s: %v", addr, err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if cert != nil {
				c = tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert.Pair}})
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				if tc, ok := c.(*tls.Conn); ok {
					if tc.Handshake() != nil {
						return
					}
				}
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	tcpAddr := ln.Addr().(*net.TCPAddr)
	return Server{Host: tcpAddr.IP.String(), Port: tcpAddr.Port}
}

// Drain reads from c until the client closes the connection: a handler
// for Serve that accepts and says nothing.
func Drain(c net.Conn) {
	buf := make([]byte, 512)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

// ClosedPort returns a loopback TCP port that nothing listens on.
func ClosedPort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

// BuildMain builds the main package pkg, a path such as "./cmd/vakt"
// relative to the module's root, into a temporary folder and returns the
// executable's path. The module's root is the nearest folder above the
// test's working folder that holds go.mod.
func BuildMain(t testing.TB, pkg string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build %s: %v", pkg, err)
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(root) == root {
			t.Fatalf("building %s: no go.mod above the test's folder", pkg)
		}
		root = filepath.Dir(root)
	}
	bin := filepath.Join(t.TempDir(), filepath.Base(pkg))
	cmd := exec.Command(goTool, "build", "-o", bin, pkg)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", pkg, err, out)
	}
	return bin
}
