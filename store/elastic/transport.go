package elastic

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// productHeader adds X-Elastic-Product: Elasticsearch to every response.
//
// The go-elasticsearch v8 client refuses any server whose first successful
// answer lacks that header, and OpenSearch 2 (an Elasticsearch 7.10 fork)
// does not send it, although it answers every API this package uses (bulk,
// mget, get, search, _index_template, _aliases, _reindex, refresh) in the
// same format. The store uses this wrapper only when the flavor is
// opensearch, that is when the configuration, or the server's root
// endpoint, says the server is OpenSearch; an Elasticsearch flavor client is
// used as is, and still refuses servers that are not Elasticsearch.
type productHeader struct{ next http.RoundTripper }

func (p productHeader) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := p.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if res.Header == nil {
		res.Header = http.Header{}
	}
	if res.Header.Get("X-Elastic-Product") == "" {
		res.Header.Set("X-Elastic-Product", "Elasticsearch")
	}
	return res, nil
}

// detect asks the root endpoint of the first node that answers which
// engine it is: "opensearch" when version.distribution says so,
// "elasticsearch" otherwise (Elasticsearch has no distribution field). It
// returns the flavor and the version number.
func detect(ctx context.Context, rt http.RoundTripper, cfg Config) (flavor, version string, err error) {
	client := &http.Client{Transport: rt}
	var errs []error
	for _, u := range cfg.URLs {
		flavor, version, err := detectOne(ctx, client, u, cfg)
		if err == nil {
			return flavor, version, nil
		}
		if ctx.Err() != nil {
			return "", "", ctx.Err()
		}
		errs = append(errs, fmt.Errorf("%s: %w", u, err))
	}
	err = errors.Join(errs...)
	var re *ResponseError
	if !errors.As(err, &re) || transientStatus(re.Status) {
		return "", "", classify(ctx, err) // unreachable or overloaded: try again later
	}
	return "", "", err
}

func detectOne(ctx context.Context, client *http.Client, u string, cfg Config) (flavor, version string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(u, "/")+"/", nil)
	if err != nil {
		return "", "", err
	}
	switch {
	case cfg.APIKey != "":
		req.Header.Set("Authorization", "ApiKey "+cfg.APIKey)
	case cfg.Username != "":
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cfg.Username+":"+cfg.Password)))
	}
	res, err := client.Do(req)
	if err != nil {
		return "", "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, res.Body)
		return "", "", &ResponseError{Status: res.StatusCode, Reason: "GET /"}
	}
	var root struct {
		Version struct {
			Distribution string `json:"distribution"`
			Number       string `json:"number"`
		} `json:"version"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&root); err != nil {
		return "", "", fmt.Errorf("decode GET /: %w", err)
	}
	if strings.EqualFold(root.Version.Distribution, FlavorOpenSearch) {
		return FlavorOpenSearch, root.Version.Number, nil
	}
	return FlavorElasticsearch, root.Version.Number, nil
}
