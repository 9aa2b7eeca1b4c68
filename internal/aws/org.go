package aws

import (
	"context"
	"fmt"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// ListAccounts returns the IDs of the organization's active accounts, asked
// of Organizations with the management account's own credentials.
func (c *Cloud) ListAccounts(ctx context.Context) ([]string, error) {
	client := organizations.NewFromConfig(c.cfg(c.layout.Management, c.layout.OrgRegion))
	var out []string
	p := organizations.NewListAccountsPaginator(client, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list organization accounts: %w", err)
		}
		for _, a := range page.Accounts {
			if a.State == orgtypes.AccountStateSuspended || a.State == orgtypes.AccountStateClosed || a.Status == orgtypes.AccountStatusSuspended {
				continue
			}
			out = append(out, sdkaws.ToString(a.Id))
		}
	}
	return out, nil
}

// TrailLogging reports whether a CloudTrail trail is logging in account
// and region, counting organization and multi-region trails created
// elsewhere (shadow trails): "AWS API Call via CloudTrail" events reach
// EventBridge only where one is (AWS-WIRING W9).
func (c *Cloud) TrailLogging(ctx context.Context, account, region string) (bool, error) {
	client := cloudtrail.NewFromConfig(c.cfg(account, region))
	out, err := client.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: sdkaws.Bool(true)})
	if err != nil {
		return false, fmt.Errorf("describe trails in %s/%s: %w", account, region, err)
	}
	for _, t := range out.TrailList {
		if t.HomeRegion != nil && *t.HomeRegion != region && !sdkaws.ToBool(t.IsMultiRegionTrail) {
			continue
		}
		name := t.TrailARN
		if name == nil {
			name = t.Name
		}
		st, err := client.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: name})
		if err != nil {
			return false, fmt.Errorf("get trail status of %s in %s/%s: %w", sdkaws.ToString(t.Name), account, region, err)
		}
		if sdkaws.ToBool(st.IsLogging) {
			return true, nil
		}
	}
	return false, nil
}
