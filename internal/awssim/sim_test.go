package awssim_test

import (
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
)

func TestLoadExampleSeed(t *testing.T) {
	seed, err := awssim.LoadSeed("testdata/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	o := seed.Organization
	if o.ManagementAccount != "111111111111" || len(o.Accounts) != 6 || len(o.OrganizationalUnits) != 3 || len(o.Roles) != 2 {
		t.Errorf("seed = %+v", o)
	}
	sim, err := awssim.New(seed, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if id, ok := sim.Org.OrgIDOf("444444444444"); !ok || id != "o-aa111bb222" {
		t.Errorf("OrgIDOf = %q %v", id, ok)
	}
}

func seedFile(tb testing.TB) awssim.Seed {
	tb.Helper()
	seed, err := awssim.LoadSeed("testdata/seed.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return seed
}

// BenchmarkCheapCall measures whole round trips through the real SDK
// (signing, HTTP on loopback, routing, identity, encoding) for two cheap
// calls, one per protocol, from parallel clients.
func BenchmarkCheapCall(b *testing.B) {
	env := awssimtest.Start(b, seedFile(b))
	cfg := env.Config(b, "us-east-1")
	b.Run("sts GetCallerIdentity", func(b *testing.B) {
		c := sts.NewFromConfig(cfg)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
	b.Run("organizations DescribeOrganization", func(b *testing.B) {
		c := organizations.NewFromConfig(cfg)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.DescribeOrganization(context.Background(), &organizations.DescribeOrganizationInput{}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	})
}

// BenchmarkStartup measures New(seed) plus listening and answering the
// first health check: what a test pays per simulator.
func BenchmarkStartup(b *testing.B) {
	seed := seedFile(b)
	for b.Loop() {
		sim, err := awssim.New(seed, nil)
		if err != nil {
			b.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := &http.Server{Handler: sim}
		go func() { _ = srv.Serve(ln) }()
		resp, err := http.Get("http://" + ln.Addr().String() + "/_awssim/health")
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		_ = srv.Close()
	}
}
