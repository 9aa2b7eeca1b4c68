package wire

import (
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// FormList reads an awsQuery list such as "Tags.member.N.Key": it returns
// one map per N, in order, with the keys after "prefix.N.".
func FormList(form url.Values, prefix string) []map[string]string {
	byIndex := map[int]map[string]string{}
	p := prefix + "."
	for k, vs := range form {
		if !strings.HasPrefix(k, p) || len(vs) == 0 {
			continue
		}
		rest := k[len(p):]
		idx, field, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(idx)
		if err != nil {
			continue
		}
		if byIndex[n] == nil {
			byIndex[n] = map[string]string{}
		}
		byIndex[n][field] = vs[0]
	}
	out := make([]map[string]string, 0, len(byIndex))
	for _, n := range slices.Sorted(maps.Keys(byIndex)) {
		out = append(out, byIndex[n])
	}
	return out
}

// FormMap reads an awsQuery map such as "Attributes.entry.N.key" /
// "Attributes.entry.N.value".
func FormMap(form url.Values, prefix, keyName, valueName string) map[string]string {
	out := map[string]string{}
	for _, e := range FormList(form, prefix) {
		if k, ok := e[keyName]; ok {
			out[k] = e[valueName]
		}
	}
	return out
}

// FormStrings reads an awsQuery list of scalars such as "AttributeNames.member.N".
func FormStrings(form url.Values, prefix string) []string {
	p := prefix + "."
	type kv struct {
		n int
		v string
	}
	var items []kv
	for k, vs := range form {
		if !strings.HasPrefix(k, p) || len(vs) == 0 {
			continue
		}
		n, err := strconv.Atoi(k[len(p):])
		if err != nil {
			continue
		}
		items = append(items, kv{n, vs[0]})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].n < items[j].n })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}
