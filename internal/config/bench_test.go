package config

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func BenchmarkValidate1000(b *testing.B) { benchmarkValidate(b, 1000) }
func BenchmarkValidate5000(b *testing.B) { benchmarkValidate(b, 5000) }

// benchmarkValidate validates a generated organization of n accounts, each
// with a cost digest and a few event categories, as a large fork would.
func benchmarkValidate(b *testing.B, n int) {
	root := filepath.Join(b.TempDir(), "repo")
	if err := os.MkdirAll(filepath.Join(root, "accounts"), 0o755); err != nil {
		b.Fatal(err)
	}
	org, err := os.ReadFile(filepath.Join(exampleRoot, "org.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "org.yaml"), org, 0o644); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		name := fmt.Sprintf("service-%05d", i)
		data := fmt.Sprintf(`# yaml-language-server: $schema=../schema/account.schema.json
id: "%012d"
name: %s
description: Synthetic account %d
owner:
  team: team-%d
  contact: team-%d@example.co.jp
slack:
  channels: [C05BENCH%04d]
cost:
  currency: JPY
  granularity: DAILY
  tags:
    - key: Environment
      values: [production]
  thresholds:
    daily: 50000
events:
  stackFailures: {}
  guardDuty:
    minSeverity: HIGH
    subscribers:
      emails: [team-%d@example.co.jp]
  config:
    rules: [restricted-ssh, s3-bucket-public-read-prohibited]
`, 100000000000+i, name, i, i%50, i%50, i%10000, i%50)
		if err := os.WriteFile(filepath.Join(root, "accounts", name+".yaml"), []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := Validate(context.Background(), Options{Root: root})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Findings) > 0 || len(res.Accounts) != n {
			b.Fatalf("%d accounts, findings:\n%s", len(res.Accounts), format(res.Findings))
		}
	}
	b.ReportMetric(float64(n+1)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkValidateSharedID5000: 5,000 files with one account ID, each
// finding naming three others. Bytes/op shows memory staying linear in the
// number of files (every finding once naming all the others took 3-4.5 GB).
func BenchmarkValidateSharedID5000(b *testing.B) {
	const n = 5000
	root := filepath.Join(b.TempDir(), "repo")
	if err := os.MkdirAll(filepath.Join(root, "accounts"), 0o755); err != nil {
		b.Fatal(err)
	}
	org, err := os.ReadFile(filepath.Join(exampleRoot, "org.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "org.yaml"), org, 0o644); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		name := fmt.Sprintf("dup-%04d", i)
		data := fmt.Sprintf("# yaml-language-server: $schema=../schema/account.schema.json\nid: \"345678901234\"\nname: %s\nowner: {team: t}\nslack: {channels: [C0123ABCDEF]}\n", name)
		if err := os.WriteFile(filepath.Join(root, "accounts", name+".yaml"), []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := Validate(context.Background(), Options{Root: root})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Findings) != n {
			b.Fatalf("%d findings, want %d", len(res.Findings), n)
		}
		size := 0
		for _, f := range res.Findings {
			size += len(f.Message)
		}
		b.ReportMetric(float64(size), "message-bytes")
	}
}
