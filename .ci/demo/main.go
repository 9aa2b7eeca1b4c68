// Command demo does the two things `make demo` needs that are not
// orgnotify's job and that a fresh machine has no aws CLI for:
//
//	demo trail                create and start the organization's CloudTrail trail
//	demo events DIR...        publish the DIRs' sample events on the accounts' default buses
//
// Both talk to AWS_ENDPOINT_URL (awssim): `trail` through the real
// CloudTrail API, `events` through awssim's POST /_awssim/events, since
// AWS services' own events cannot be sent with PutEvents.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	err := run(ctx, os.Args[1:])
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	endpoint := os.Getenv("AWS_ENDPOINT_URL")
	if endpoint == "" {
		return errors.New("AWS_ENDPOINT_URL is not set: the demo only talks to awssim")
	}
	switch {
	case len(args) == 1 && args[0] == "trail":
		return trail(ctx)
	case len(args) >= 2 && args[0] == "events":
		return events(ctx, endpoint, args[1:])
	default:
		return errors.New("usage: demo trail | demo events DIR [DIR]")
	}
}

// trail does what the platform team does once in the management account:
// a multi-region trail in us-east-1, where Organizations records its API
// calls, so that the lifecycle events orgnotify routes reach EventBridge.
func trail(ctx context.Context) error {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		return fmt.Errorf("aws config: %w", err)
	}
	ct := cloudtrail.NewFromConfig(cfg)
	name := "org-trail"
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{
		Name: aws.String(name), S3BucketName: aws.String("org-trail-logs"),
		IsMultiRegionTrail: aws.Bool(true), IsOrganizationTrail: aws.Bool(true),
	}); err != nil {
		return fmt.Errorf("create trail: %w", err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)}); err != nil {
		return fmt.Errorf("start logging: %w", err)
	}
	fmt.Printf("trail %s (multi-region, organization) logging in us-east-1\n", name)
	return nil
}

// envelope is the part of an EventBridge event awssim needs to publish it
// again: who sends it, where, and what.
type envelope struct {
	Account    string          `json:"account"`
	Region     string          `json:"region"`
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"`
	Resources  []string        `json:"resources"`
}

// events publishes every *.json event of dirs, in name order, on its
// account's default bus in its region, and counts them by source. An event
// AWS would not deliver (an API call no trail logs) is reported and skipped.
func events(ctx context.Context, endpoint string, dirs []string) error {
	var files []string
	for _, dir := range dirs {
		fs, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil || len(fs) == 0 {
			return fmt.Errorf("no *.json events in %s", dir)
		}
		files = append(files, fs...)
	}
	bySource := map[string]int{}
	published := 0
	for _, f := range files {
		e, err := readEnvelope(f)
		if err != nil {
			return err
		}
		status, answer, err := publish(ctx, endpoint, e)
		switch {
		case err != nil:
			return fmt.Errorf("publish %s: %w", f, err)
		case status == http.StatusConflict:
			fmt.Printf("  not delivered, as in AWS: %s (%s)\n", filepath.Base(f), answer)
			continue
		case status != http.StatusOK:
			return fmt.Errorf("publish %s: HTTP %d: %s", f, status, answer)
		}
		bySource[strings.TrimPrefix(e.Source, "aws.")]++
		published++
	}
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(bySource)) {
		parts = append(parts, fmt.Sprintf("%s %d", s, bySource[s]))
	}
	fmt.Printf("published %d events on the accounts' default buses: %s\n", published, strings.Join(parts, ", "))
	return nil
}

func readEnvelope(path string) (envelope, error) {
	var e envelope
	b, err := os.ReadFile(path)
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return e, fmt.Errorf("%s: %w", path, err)
	}
	return e, nil
}

// publish posts e to awssim's admin endpoint and returns the status and
// the answer's error text.
func publish(ctx context.Context, endpoint string, e envelope) (int, string, error) {
	body, err := json.Marshal(e)
	if err != nil {
		return 0, "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(endpoint, "/")+"/_awssim/events", bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var answer struct{ Error string }
	if json.Unmarshal(b, &answer) == nil && answer.Error != "" {
		return resp.StatusCode, answer.Error, nil
	}
	return resp.StatusCode, string(bytes.TrimSpace(b)), nil
}
