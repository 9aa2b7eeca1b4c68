package cost

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	osl "github.com/orgnotify/orgnotify/internal/slack"
)

// JSON is the --format json line of one account: the figures behind its
// message, rounded as displayed.
type JSON struct {
	Account              string        `json:"account"`
	Name                 string        `json:"name"`
	Date                 string        `json:"date"`
	Currency             string        `json:"currency"`
	Total                float64       `json:"total"`
	Previous             float64       `json:"previous"`
	Average7d            *float64      `json:"average_7d"` // null for MONTHLY digests
	MonthToDate          float64       `json:"month_to_date"`
	MonthToDateLastMonth float64       `json:"month_to_date_last_month"`
	TopServices          []JSONService `json:"top_services"`
	Alerts               []string      `json:"alerts"`
	Channels             []string      `json:"channels"`
}

// JSONService is one top service in JSON.
type JSONService struct {
	Service  string  `json:"service"`
	Amount   float64 `json:"amount"`
	Previous float64 `json:"previous"`
}

// ToJSON returns r's JSON form.
func (r Report) ToJSON() JSON {
	c := r.Currency
	j := JSON{
		Account: r.Account.ID, Name: r.Account.Name, Date: r.Date.Format(time.DateOnly), Currency: c,
		Total: Round(r.Total, c), Previous: Round(r.Previous, c),
		MonthToDate: Round(r.MonthToDate, c), MonthToDateLastMonth: Round(r.MonthToDateLastMonth, c),
		TopServices: []JSONService{}, Alerts: r.Alerts, Channels: r.Channels,
	}
	if r.Granularity != Monthly {
		avg := Round(r.Average7d, c)
		j.Average7d = &avg
	}
	for _, s := range r.TopServices {
		j.TopServices = append(j.TopServices, JSONService{Service: s.Service, Amount: Round(s.Amount, c), Previous: Round(s.Previous, c)})
	}
	if j.Alerts == nil {
		j.Alerts = []string{}
	}
	if j.Channels == nil {
		j.Channels = []string{}
	}
	return j
}

// WriteJSON writes one JSON object a line, one per report.
func WriteJSON(w io.Writer, reports []Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range reports {
		if err := enc.Encode(r.ToJSON()); err != nil {
			return fmt.Errorf("write json: %w", err)
		}
	}
	return nil
}

// EventType is the Slack metadata event type of cost digest messages; with
// the date and account in the payload it identifies a post, so a re-run
// finds it and does not post twice.
const EventType = "orgnotify_cost_digest"

// OrganizationKey is the metadata "account" of the summary message.
const OrganizationKey = "organization"

func metadata(day time.Time, account string) *slack.SlackMetadata {
	return &slack.SlackMetadata{EventType: EventType, EventPayload: map[string]any{
		"date": day.Format(time.DateOnly), "account": account,
	}}
}

// once makes a post unique per channel and report day: posts for a day are
// made once the day is over, so history from the next day on is searched.
func once(day time.Time) *osl.Once { return &osl.Once{Since: day.AddDate(0, 0, 1)} }

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// escape protects Slack's control characters in text taken from account
// files and Cost Explorer.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func signed(v float64, c string) string {
	if Round(v, c) > 0 {
		return "+" + Money(v, c)
	}
	return Money(v, c)
}

// versus describes v against base: "+12.3% (+¥1,200)".
func versus(v, base float64, c string) string {
	diff := signed(v-base, c)
	if pct, ok := change(Round(v, c), Round(base, c)); ok {
		return fmt.Sprintf("%s (%s)", Percent(pct), diff)
	}
	if Round(v, c) == 0 {
		return "no change"
	}
	return "new (" + diff + ")"
}

// ConsoleURL links to the account's costs in Cost Explorer.
func ConsoleURL(account string, from, to time.Time, daily bool) string {
	g := "Daily"
	if !daily {
		g = "Monthly"
	}
	filter := fmt.Sprintf(`[{"dimension":{"id":"LinkedAccount","displayValue":"Linked account"},"operator":"INCLUDES","values":[{"value":"%s"}]}]`, account)
	q := url.Values{
		"chartStyle": {"STACK"}, "granularity": {g}, "groupBy": {`["Service"]`},
		"startDate": {from.Format(time.DateOnly)}, "endDate": {to.Format(time.DateOnly)},
		"filter": {filter},
	}
	return "https://us-east-1.console.aws.amazon.com/costmanagement/home?region=us-east-1#/cost-explorer?" + q.Encode()
}

// Messages returns r's message for each of its channels.
func (r Report) Messages() []osl.Message {
	c := r.Currency
	a := r.Account
	monthly := r.Granularity == Monthly
	when := r.Date.Format(time.DateOnly)
	if monthly {
		when = r.Date.Format("January 2006")
	}
	est := ""
	if r.Estimated {
		est = " (estimated)"
	}
	title := clip(fmt.Sprintf("%s — %s on %s%s", a.Name, Money(r.Total, c), when, est), osl.MaxHeaderText)
	blocks := []slack.Block{slack.NewHeaderBlock(plain(title))}
	if len(r.Alerts) > 0 {
		var b strings.Builder
		for _, al := range r.Alerts {
			b.WriteString(":rotating_light: *" + escape(al) + "*\n")
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(clip(b.String(), osl.MaxSectionText)), nil, nil))
	}
	var fields []*slack.TextBlockObject
	field := func(name, value string) { fields = append(fields, mrkdwn("*"+name+"*\n"+value)) }
	if monthly {
		field("Month", Money(r.Total, c)+est)
		field("vs month before", versus(r.Total, r.Previous, c)+" from "+Money(r.Previous, c))
	} else {
		field("Day", Money(r.Total, c)+est)
		field("vs day before", versus(r.Total, r.Previous, c)+" from "+Money(r.Previous, c))
		field("vs 7-day average", versus(r.Total, r.Average7d, c)+" from "+Money(r.Average7d, c))
		field("Month to date", Money(r.MonthToDate, c))
		field("Same point last month", Money(r.MonthToDateLastMonth, c)+"; now "+versus(r.MonthToDate, r.MonthToDateLastMonth, c))
	}
	if Round(r.Credits, c) != 0 {
		field("Credits and refunds", Money(r.Credits, c)+" (included above)")
	}
	if r.Forecast != nil {
		field("Forecast for the month", Money(*r.Forecast, c))
	} else if r.ForecastError != nil {
		field("Forecast for the month", "unavailable")
	}
	blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))
	if len(r.TopServices) > 0 {
		var b strings.Builder
		b.WriteString("*Top services*\n")
		for i, s := range r.TopServices {
			line := fmt.Sprintf("%d. %s — %s, %s\n", i+1, escape(clip(s.Service, 80)), Money(s.Amount, c), versus(s.Amount, s.Previous, c))
			if utf8.RuneCountInString(b.String())+utf8.RuneCountInString(line) > osl.MaxSectionText {
				break
			}
			b.WriteString(line)
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(b.String()), nil, nil))
	}
	var ctx []slack.MixedElement
	if len(r.Days) > 0 {
		ctx = append(ctx, mrkdwn(fmt.Sprintf("Last %d days `%s`", len(r.Days), Sparkline(r.Days))))
	}
	if r.Converted {
		ctx = append(ctx, mrkdwn(fmt.Sprintf("Converted from %s at %g %s/%s", r.Source, r.Rate, c, r.Source)))
	}
	if r.Estimated {
		ctx = append(ctx, mrkdwn("Estimated: the billing period is open and Cost Explorer may revise these figures"))
	}
	ctx = append(ctx, mrkdwn(fmt.Sprintf("%s · account %s · %s", escape(a.Owner.Team), a.ID, a.Cost.Metric)))
	blocks = append(blocks, slack.NewContextBlock("", ctx...))
	from, to := r.Date.AddDate(0, 0, 1-daysShown), r.Date
	if monthly {
		from = monthStart(r.Date).AddDate(0, -1, 0)
	}
	blocks = append(blocks, slack.NewActionBlock("", slack.NewButtonBlockElement("cost-explorer", "", plain("Open in Cost Explorer")).
		WithURL(ConsoleURL(a.ID, from, to, !monthly))))

	text := fmt.Sprintf("%s cost on %s: %s%s", a.Name, when, Money(r.Total, c), est)
	if len(r.Alerts) > 0 {
		text = fmt.Sprintf("%s — %d alert(s): %s", text, len(r.Alerts), r.Alerts[0])
	}
	var out []osl.Message
	for _, ch := range r.Channels {
		out = append(out, osl.Message{Channel: ch, Text: text, Blocks: blocks, Metadata: metadata(r.Date, a.ID), Once: once(r.Date)})
	}
	return out
}

// Message returns the organization summary message.
func (s Summary) Message() osl.Message {
	c := s.Currency
	day := s.Date.Format(time.DateOnly)
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(clip(fmt.Sprintf("Organization cost — %s on %s", Money(s.Total, c), day), osl.MaxHeaderText))),
		slack.NewSectionBlock(nil, []*slack.TextBlockObject{
			mrkdwn("*Total*\n" + Money(s.Total, c)),
			mrkdwn("*vs day before*\n" + versus(s.Total, s.Previous, c)),
			mrkdwn(fmt.Sprintf("*Accounts*\n%d", s.Accounts)),
			mrkdwn(fmt.Sprintf("*Alerts*\n%d", s.Alerts)),
		}, nil),
	}
	if len(s.Movers) > 0 {
		var b strings.Builder
		b.WriteString("*Top movers*\n")
		for _, m := range s.Movers {
			fmt.Fprintf(&b, "• %s (%s) — %s, %s\n", escape(clip(m.Name, 64)), m.Account, Money(m.Total, c), versus(m.Total, m.Previous, c))
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(b.String()), nil, nil))
	}
	return osl.Message{
		Channel:  s.Channel,
		Text:     fmt.Sprintf("Organization cost on %s: %s across %d accounts", day, Money(s.Total, c), s.Accounts),
		Blocks:   blocks,
		Metadata: metadata(s.Date, OrganizationKey),
		Once:     once(s.Date),
	}
}
