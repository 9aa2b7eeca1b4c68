package servicecatalog_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sc "github.com/aws/aws-sdk-go-v2/service/servicecatalog"
	"github.com/aws/aws-sdk-go-v2/service/servicecatalog/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgnotify/orgnotify/internal/awssim"
	"github.com/orgnotify/orgnotify/internal/awssim/awssimtest"
	"github.com/orgnotify/orgnotify/internal/awssim/org"
	"github.com/orgnotify/orgnotify/internal/awssim/servicecatalog"
)

const (
	mgmt   = "111122223333"
	member = "345678901234"
	region = "ap-northeast-1"
	stack  = "arn:aws:cloudformation:ap-northeast-1:345678901234:stack/SC-345678901234-pp-fqh2ngw5mvzqc/5b5a1c20-8f4d-11ef-9a1b-0a1b2c3d4e5f"
)

func start(t *testing.T, extra ...servicecatalog.ProvisionedProduct) (*awssimtest.Env, *sc.Client) {
	t.Helper()
	seed := awssim.Seed{
		Organization: org.Seed{ManagementAccount: mgmt, OrganizationID: "o-a1b2c3d4e5",
			Accounts: []org.Account{{ID: mgmt, Name: "management"}, {ID: member, Name: "payments-prod"}}},
		ProvisionedProducts: append([]servicecatalog.ProvisionedProduct{{
			Account: member, Region: region, ID: "pp-fqh2ngw5mvzqc", Name: "payments-bucket", PhysicalID: stack,
			ProductID: "prod-abcd1234efgh5", ProductName: "Encrypted S3 bucket",
			ProvisioningArtifactID: "pa-ijkl5678mnop9", ProvisioningArtifactName: "v3.2",
			UserArn: "arn:aws:sts::" + member + ":assumed-role/Developer/alice",
		}}, extra...),
	}
	env := awssimtest.Start(t, seed)
	ctx := context.Background()
	out, err := sts.NewFromConfig(env.Config(t, region)).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(awssimtest.AccessRoleARN(member)), RoleSessionName: aws.String("orgnotify")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	cfg := env.ConfigWithKeys(t, region, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	return env, sc.NewFromConfig(cfg)
}

func byStack(level types.AccessLevelFilterKey) *sc.SearchProvisionedProductsInput {
	in := &sc.SearchProvisionedProductsInput{Filters: map[string][]string{"SearchQuery": {"physicalId:" + stack}}}
	if level != "" {
		in.AccessLevelFilter = &types.AccessLevelFilter{Key: level, Value: aws.String("self")}
	}
	return in
}

// TestSearchByStackAtAccountLevel is W16: the member role, at access level
// Account, finds the product someone else provisioned, by its stack ARN.
func TestSearchByStackAtAccountLevel(t *testing.T) {
	_, c := start(t)
	out, err := c.SearchProvisionedProducts(context.Background(), byStack(types.AccessLevelFilterKeyAccount))
	awssimtest.WantCode(t, err, "")
	if len(out.ProvisionedProducts) != 1 || out.TotalResultsCount != 1 {
		t.Fatalf("found %d products", len(out.ProvisionedProducts))
	}
	p := out.ProvisionedProducts[0]
	if aws.ToString(p.Name) != "payments-bucket" || aws.ToString(p.ProductName) != "Encrypted S3 bucket" ||
		aws.ToString(p.ProvisioningArtifactName) != "v3.2" || aws.ToString(p.PhysicalId) != stack || aws.ToString(p.Id) != "pp-fqh2ngw5mvzqc" {
		t.Errorf("product = %+v", p)
	}
}

// TestAccessLevels: without AccessLevelFilter (User) or at Role level the
// member role sees nothing another principal provisioned.
func TestAccessLevels(t *testing.T) {
	_, c := start(t)
	for _, level := range []types.AccessLevelFilterKey{"", types.AccessLevelFilterKeyUser, types.AccessLevelFilterKeyRole} {
		out, err := c.SearchProvisionedProducts(context.Background(), byStack(level))
		awssimtest.WantCode(t, err, "")
		if len(out.ProvisionedProducts) != 0 {
			t.Errorf("level %q: found %d products, want 0", level, len(out.ProvisionedProducts))
		}
	}
	_, err := c.SearchProvisionedProducts(context.Background(), byStack("Everyone"))
	awssimtest.WantCode(t, err, "InvalidParametersException")
}

// TestRegionAndAccountScope: products are found only in their own account
// and region.
func TestRegionAndAccountScope(t *testing.T) {
	env, _ := start(t)
	other := sc.NewFromConfig(env.Config(t, region)) // the management account
	out, err := other.SearchProvisionedProducts(context.Background(), byStack(types.AccessLevelFilterKeyAccount))
	awssimtest.WantCode(t, err, "")
	if len(out.ProvisionedProducts) != 0 {
		t.Errorf("another account found %d products", len(out.ProvisionedProducts))
	}
	_, c := start(t)
	out, err = c.SearchProvisionedProducts(context.Background(), byStack(types.AccessLevelFilterKeyAccount), func(o *sc.Options) { o.Region = "us-east-1" })
	awssimtest.WantCode(t, err, "")
	if len(out.ProvisionedProducts) != 0 {
		t.Errorf("another region found %d products", len(out.ProvisionedProducts))
	}
}

func TestPagingAndDenied(t *testing.T) {
	env, c := start(t,
		servicecatalog.ProvisionedProduct{Account: member, Region: region, ID: "pp-2", Name: "b-product", PhysicalID: "x"},
		servicecatalog.ProvisionedProduct{Account: member, Region: region, ID: "pp-3", Name: "c-product", PhysicalID: "y"})
	in := &sc.SearchProvisionedProductsInput{AccessLevelFilter: &types.AccessLevelFilter{Key: types.AccessLevelFilterKeyAccount, Value: aws.String("self")}, PageSize: 2}
	var names []string
	for p := sc.NewSearchProvisionedProductsPaginator(c, in); p.HasMorePages(); {
		out, err := p.NextPage(context.Background())
		awssimtest.WantCode(t, err, "")
		for _, pp := range out.ProvisionedProducts {
			names = append(names, aws.ToString(pp.Name))
		}
	}
	if len(names) != 3 || names[0] != "b-product" || names[2] != "payments-bucket" {
		t.Errorf("pages = %v", names)
	}
	env.Sim.Faults().Set(awssim.FaultConfig{DenyAccounts: []string{member}})
	_, err := c.SearchProvisionedProducts(context.Background(), byStack(types.AccessLevelFilterKeyAccount))
	awssimtest.WantCode(t, err, "AccessDeniedException")
}
