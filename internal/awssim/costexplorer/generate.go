package costexplorer

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// GenerateSpec describes a synthetic dataset for tests and benchmarks: every
// account spends on every service every day.
type GenerateSpec struct {
	Accounts     int    // number of accounts
	FirstAccount uint64 // first account ID; 100000000000 when zero
	Services     int    // number of services; names repeat with a suffix past the known ones
	Start        string // first day, "2026-09-01" or "today-60"
	Days         int
	Seed         uint64 // same seed, same amounts
}

// Known service names, so generated groups look like Cost Explorer's.
var generatedServices = []string{
	"Amazon Elastic Compute Cloud - Compute", "Amazon Simple Storage Service",
	"Amazon Relational Database Service", "AWS Lambda", "Amazon DynamoDB",
	"Amazon CloudWatch", "Amazon Virtual Private Cloud", "AWS Key Management Service",
	"Amazon Simple Queue Service", "Amazon Simple Notification Service",
	"Amazon Elastic Container Service", "Amazon Elastic Load Balancing",
	"AWS CloudTrail", "Amazon Route 53", "AWS Config", "Amazon GuardDuty",
}

var generatedRegions = []string{"us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"}

// Generate builds the dataset the spec describes. Amounts have four decimals
// and lie between 0.01 and about 120 a day; each account carries the tags
// team=team-NN and env=prod|dev|test, and one tag map is shared by all of an
// account's records, which keeps New fast on large datasets.
func Generate(spec GenerateSpec) ([]Record, error) {
	if spec.Accounts < 1 || spec.Services < 1 || spec.Days < 1 {
		return nil, fmt.Errorf("generate: accounts, services and days must be positive")
	}
	first := cmp.Or(spec.FirstAccount, 100000000000)
	if first+uint64(spec.Accounts) > 999999999999 {
		return nil, fmt.Errorf("generate: account IDs would exceed 12 digits")
	}
	start, err := parseRecordDate(spec.Start, time.Now().UTC().Truncate(24*time.Hour))
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	days := make([]string, spec.Days)
	for d := range days {
		days[d] = start.AddDate(0, 0, d).Format(time.DateOnly)
	}
	services := make([]string, spec.Services)
	for i := range services {
		services[i] = generatedServices[i%len(generatedServices)]
		if i >= len(generatedServices) {
			services[i] += " " + strconv.Itoa(i/len(generatedServices)+1)
		}
	}
	envs := []string{"prod", "dev", "test"}
	rng := rand.New(rand.NewPCG(spec.Seed, spec.Seed^0x9e3779b97f4a7c15))
	out := make([]Record, 0, spec.Accounts*spec.Services*spec.Days)
	for a := 0; a < spec.Accounts; a++ {
		acct := fmt.Sprintf("%012d", first+uint64(a))
		tags := map[string]string{"team": fmt.Sprintf("team-%02d", a%20), "env": envs[a%len(envs)]}
		for si, svc := range services {
			base := int64(rng.IntN(1_000_000) + 100) // in 1e-4 dollars: 0.01 .. 100
			region := generatedRegions[(a+si)%len(generatedRegions)]
			for _, day := range days {
				// ±20% daily noise around the account's base for the service.
				v := base + base*int64(rng.IntN(41)-20)/100
				out = append(out, Record{
					Account: acct, Service: svc, Date: day, Region: region, Tags: tags,
					Amount: Decimal(strconv.FormatInt(v/10000, 10) + "." + fmt.Sprintf("%04d", v%10000)),
				})
			}
		}
	}
	return out, nil
}
