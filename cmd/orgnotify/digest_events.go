package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	orgaws "github.com/orgnotify/orgnotify/internal/aws"
	"github.com/orgnotify/orgnotify/internal/config"
	"github.com/orgnotify/orgnotify/internal/desired"
	"github.com/orgnotify/orgnotify/internal/events"
	"github.com/orgnotify/orgnotify/internal/findings"
	osl "github.com/orgnotify/orgnotify/internal/slack"
)

// maxEventLine bounds one line of a replay file; EventBridge events are at
// most 256 KiB.
const maxEventLine = 1 << 20

// runDigestEvents drains the hub's digest queue (or replays a file) into
// one Slack message per channel.
func runDigestEvents(ctx context.Context, args []string, std stdio, getenv env) error {
	fs := newFlags("digest events", std)
	root := fs.String("root", ".", "repository root holding org.yaml and accounts/")
	fromFile := fs.String("from-file", "", "replay events from a JSON Lines file, or a directory of .json files (one event each), instead of SQS")
	dryRun := fs.Bool("dry-run", false, "print the messages instead of posting them (needs no Slack token); from SQS, nothing is deleted")
	out := fs.String("out", "", "with --dry-run, also write each message's Block Kit JSON to this directory")
	format := fs.String("format", "text", "dry-run output: text (the messages) or json (one object per event)")
	budget := fs.Duration("budget", 10*time.Minute, "time spent receiving from SQS; what is left waits for the next run")
	fs.Usage = func() {
		fmt.Fprintln(std.err, "usage: orgnotify digest events [--root DIR] [--from-file PATH] [--dry-run] [--out DIR] [--format text|json] [--budget DURATION]")
		fmt.Fprintln(std.err, "posts with SLACK_BOT_TOKEN (SLACK_API_URL for another API); reads SQS with the standard AWS credential chain")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageError{"digest events takes no arguments"}
	case *format != "text" && *format != "json":
		return usageError{fmt.Sprintf("unknown --format %q (want text or json)", *format)}
	case *format == "json" && !*dryRun:
		return usageError{"--format json needs --dry-run"}
	case *out != "" && !*dryRun:
		return usageError{"--out needs --dry-run"}
	case *budget <= 0:
		return usageError{"--budget must be positive"}
	}

	// config.Load hands out a model only when nothing is an error: an
	// account file that failed to parse must never route its events to
	// the platform channel as an account without a file.
	res, found, err := config.Load(ctx, *root)
	if errors.Is(err, config.ErrInvalid) {
		fmt.Fprintln(std.err, "orgnotify digest events: the configuration has errors; fix them first (orgnotify validate):")
		if err := findings.WriteText(std.err, found, 0); err != nil {
			return err
		}
		return errFindings
	}
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(std.err, &slog.HandlerOptions{Level: slog.LevelWarn}))
	router := events.NewRouter(res.Org, res.Accounts)

	var sender events.Sender
	var printer *outcomePrinter
	switch {
	case *dryRun && *format == "json":
		printer = &outcomePrinter{w: std.out}
		sender = &osl.DryRun{Dir: *out}
	case *dryRun:
		sender = &osl.DryRun{W: std.out, Dir: *out}
	default:
		token, apiURL := osl.Env(getenv)
		if token == "" {
			return usageError{osl.EnvToken + " is not set (use --dry-run to preview without posting)"}
		}
		sender = osl.New(token, osl.Options{APIURL: apiURL, Logger: log})
	}

	if *fromFile != "" {
		return replay(ctx, *fromFile, router, sender, printer, std, log)
	}
	_, err = drainQueue(ctx, res.Org, router, sender, printer, *dryRun, *budget, std, log)
	return err
}

// replay classifies and renders the events of a file or directory, no SQS.
func replay(ctx context.Context, path string, router *events.Router, sender events.Sender, printer *outcomePrinter, std stdio, log *slog.Logger) error {
	recs, bad, err := readEvents(path)
	if err != nil {
		return err
	}
	total := len(recs) + len(bad)
	for _, b := range bad {
		fmt.Fprintln(std.err, b)
	}
	// Enrichment needs AWS; a replay shows the events as they are.
	plan := (&events.Pipeline{Router: router, Log: log}).Run(ctx, recs)
	for _, it := range plan.Items {
		if it.Event == nil {
			fmt.Fprintf(std.err, "%s: %v\n", it.Record.Origin, it.Err)
			bad = append(bad, it.Record.Origin)
		}
	}
	if printer != nil {
		if err := printer.print(plan); err != nil {
			return err
		}
	}
	var postErr error
	for _, p := range plan.Posts {
		if _, err := sender.Send(ctx, p.Message); err != nil {
			postErr = errors.Join(postErr, fmt.Errorf("post to %s: %w", p.Message.Channel, err))
		}
	}
	if postErr != nil {
		return postErr
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d of %d inputs are not EventBridge events (listed above)", len(bad), total)
	}
	return nil
}

// readEvents reads a JSON Lines file, or every .json file of a directory
// (one event each). Lines that cannot be read as JSON at all are returned
// in bad as "file:line: reason"; envelope checks happen in the pipeline,
// with the same origin.
func readEvents(path string) (recs []*events.Record, bad []string, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--from-file: %w", err)
	}
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, nil, fmt.Errorf("--from-file: %w", err)
		}
		var names []string
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		for _, n := range names {
			b, err := os.ReadFile(filepath.Join(path, n))
			if err != nil {
				return nil, nil, fmt.Errorf("--from-file: %w", err)
			}
			recs = append(recs, &events.Record{Origin: filepath.Join(path, n) + ":1", Body: b})
		}
		return recs, nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--from-file: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	for line := 1; ; line++ {
		b, err := readLine(r)
		if errors.Is(err, io.EOF) && b == nil {
			break
		}
		origin := fmt.Sprintf("%s:%d", path, line)
		if errors.Is(err, errLongLine) {
			bad = append(bad, fmt.Sprintf("%s: line longer than %d bytes", origin, maxEventLine))
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("--from-file: %w", err)
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		recs = append(recs, &events.Record{Origin: origin, Body: b})
	}
	return recs, bad, nil
}

var errLongLine = errors.New("line too long")

// readLine returns one line without its newline; a line over maxEventLine
// is skipped whole and reported.
func readLine(r *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxEventLine {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.ReadSlice('\n')
			}
			return []byte{}, errLongLine
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) && len(buf) == 0 {
			return nil, io.EOF
		}
		return bytes.TrimRight(buf, "\r\n"), err
	}
}

// outcomePrinter writes one JSON object per event.
type outcomePrinter struct{ w io.Writer }

func (p *outcomePrinter) print(plan *events.Plan) error {
	enc := json.NewEncoder(p.w)
	for _, it := range plan.Items {
		if o, ok := it.Outcome(); ok {
			if err := enc.Encode(o); err != nil {
				return err
			}
		}
	}
	return nil
}

// drainQueue reads the hub's digest queue and the dead-letter queues as
// memberRole in the hub account, posts, and deletes what was posted.
func drainQueue(ctx context.Context, org *config.Org, router *events.Router, sender events.Sender, printer *outcomePrinter, dryRun bool, budget time.Duration, std stdio, log *slog.Logger) (events.Report, error) {
	base, err := orgaws.LoadConfig(ctx, org.Hub.HomeRegion)
	if err != nil {
		return events.Report{}, err
	}
	sessions := orgaws.NewSessions(base, org.Organization.ManagementAccountID, org.MemberRole)
	d, err := openQueues(ctx, sessions, org, log)
	if err != nil {
		return events.Report{}, err
	}
	d.Pipeline = &events.Pipeline{Router: router, Products: orgaws.Products{Sessions: sessions}, Log: log}
	d.Sender = sender
	d.Budget = budget
	d.Log = log
	d.Preview = dryRun
	if dryRun {
		d.Concurrency = 1 // the preview prints in channel order
	}
	rep, plan, err := d.RunPlan(ctx)
	if printer != nil && plan != nil {
		if perr := printer.print(plan); perr != nil {
			return rep, perr
		}
	}
	w := std.out
	if printer != nil {
		w = std.err // stdout holds only the JSON objects
	}
	fmt.Fprintf(w, "digest events: received %d (+%d dead-lettered), %d events, %d duplicates, %d filtered, %d unreadable; posted %d messages; deleted %d, kept %d\n",
		rep.Received, rep.DeadLetters, rep.Events, rep.Duplicates, rep.Filtered, rep.Unreadable, rep.Posted, rep.Deleted, rep.Kept)
	return rep, err
}

// openQueues finds the digest queue, its dead-letter queue and the
// delivery dead-letter queues (W4) in the hub account. A missing
// dead-letter queue (not applied yet) is a warning, not a failure.
func openQueues(ctx context.Context, sessions *orgaws.Sessions, org *config.Org, log *slog.Logger) (*events.Drain, error) {
	hub, home := org.Hub.AccountID, org.Hub.HomeRegion
	q, err := orgaws.OpenQueue(ctx, sessions.Config(hub, home), org.Resources.SQSQueueName, orgaws.QueueOptions{})
	if err != nil {
		return nil, err
	}
	d := &events.Drain{Queue: q}
	type dlq struct {
		region, name      string
		delivery, retired bool
	}
	list := []dlq{{home, desired.DigestDLQ(org), false, false}}
	ruleRegions := desired.RuleRegions(org)
	for _, r := range ruleRegions {
		list = append(list, dlq{r, desired.DeliveryDLQ(org), true, false})
	}
	// A retired region's queue is reported until apply may delete it, and
	// is expected to be gone afterwards.
	for _, r := range org.RetiredRegions {
		if !slices.Contains(ruleRegions, r) {
			list = append(list, dlq{r, desired.DeliveryDLQ(org), true, true})
		}
	}
	for _, l := range list {
		dq, err := orgaws.OpenQueue(ctx, sessions.Config(hub, l.region), l.name, orgaws.QueueOptions{})
		switch {
		case l.retired && err != nil:
			if !orgaws.IsQueueMissing(err) {
				log.Warn("delivery dead-letter queue of a retired region not read", "region", l.region, "err", err)
			}
			continue
		case orgaws.IsQueueMissing(err):
			log.Warn("dead-letter queue missing; run orgnotify apply", "queue", l.name, "region", l.region)
			continue
		case err != nil:
			return nil, err
		}
		d.DeadLetters = append(d.DeadLetters, events.DeadLetterQueue{Queue: dq, Delivery: l.delivery})
	}
	return d, nil
}
