// Command load drives a running SCIM server over HTTP with concurrent
// keep-alive clients, one workload after another, and prints requests per
// second, p50 and p99 latency for each. With -floor it also runs every
// workload against a bare net/http server, in a process of its own, that
// answers each request with the bytes the SCIM server answered (the floor),
// alternating between the two (-rounds), and prints the ratio: what the
// SCIM layer costs next to serving the same bytes at all. It works against any SCIM 2.0 server, so two servers can be
// compared on one machine.
//
//	go run ./examples/server -token s3cr3t &
//	go run ./bench/load -url http://127.0.0.1:8080/scim/v2 -token s3cr3t -c 16 -d 10s -floor
//
// Before the workloads it creates -users users (userName load-<run>-<n>)
// to read and patch, and it deletes nothing: run it against a server whose
// data you can spare.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080/scim/v2", "the SCIM server's base URL")
	token := flag.String("token", os.Getenv("SCIMKIT_TOKEN"), "bearer token (default $SCIMKIT_TOKEN)")
	clients := flag.Int("c", 16, "concurrent keep-alive clients")
	duration := flag.Duration("d", 10*time.Second, "how long each workload runs")
	users := flag.Int("users", 1000, "users to create first, for the workloads to read and patch")
	only := flag.String("workloads", "get,usernameeq,post,patch,page", "workloads to run, in order")
	floor := flag.Bool("floor", false, "also run every workload against a bare net/http server answering the same bytes")
	rounds := flag.Int("rounds", 4, "with -floor, alternate between the server and the floor this many times per workload, so that a machine whose speed drifts slows both alike")
	serveFloor := flag.String("serve-floor", "", "internal: serve the answer in this file as the floor, in a process of its own")
	flag.Parse()
	if *serveFloor != "" {
		if err := floorServer(*serveFloor); err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		return
	}
	if *rounds < 1 || !*floor {
		*rounds = 1
	}
	if err := run(*base, *token, *clients, *duration, *users, strings.Split(*only, ","), *floor, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// workload makes the requests of one kind; n numbers them per run.
type workload struct {
	name string
	req  func(base string, n int64) (*http.Request, error)
}

// result is what one workload measured.
type result struct {
	requests  int
	errors    int
	perSecond float64
	p50, p99  time.Duration
}

// sample is what one or more runs of a workload recorded.
type sample struct {
	lat     []time.Duration
	errors  int
	elapsed time.Duration
}

// add adds another run's record to s.
func (s *sample) add(o sample) {
	s.lat = append(s.lat, o.lat...)
	s.errors += o.errors
	s.elapsed += o.elapsed
}

// result summarises the runs.
func (s *sample) result() result {
	slices.Sort(s.lat)
	r := result{requests: len(s.lat), errors: s.errors}
	if s.elapsed > 0 {
		r.perSecond = float64(len(s.lat)) / s.elapsed.Seconds()
	}
	if len(s.lat) > 0 {
		r.p50, r.p99 = s.lat[len(s.lat)/2], s.lat[len(s.lat)*99/100]
	}
	return r
}

func run(base, token string, clients int, d time.Duration, users int, names []string, floor bool, rounds int) error {
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConns: clients, MaxIdleConnsPerHost: clients, DisableCompression: true,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	}, Timeout: 30 * time.Second}
	auth := "Bearer " + token
	prefix := "load-" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	ids, err := seed(client, base, auth, prefix, users, clients)
	if err != nil {
		return err
	}
	all := workloads(auth, prefix, ids, users)
	fmt.Printf("%d clients, %s per workload, %d users seeded at %s", clients, d, users, base)
	if floor {
		fmt.Printf(", %d rounds of server then floor", rounds)
	}
	fmt.Printf("\n\n%-12s %12s %10s %10s", "workload", "req/s", "p50", "p99")
	if floor {
		fmt.Printf(" %12s %10s %10s %7s", "floor req/s", "p50", "p99", "ratio")
	}
	fmt.Println()
	for _, name := range names {
		i := slices.IndexFunc(all, func(w workload) bool { return w.name == strings.TrimSpace(name) })
		if i < 0 {
			return fmt.Errorf("no workload %q", name)
		}
		w := all[i]
		floorBase, stop := "", func() {}
		if floor {
			if floorBase, stop, err = startFloor(client, base, w); err != nil {
				return err
			}
		}
		var rs, fs sample
		for range rounds {
			rs.add(drive(client, base, w, clients, d/time.Duration(rounds)))
			if floor {
				fs.add(drive(client, floorBase, w, clients, d/time.Duration(rounds)))
			}
		}
		stop()
		r := rs.result()
		fmt.Printf("%-12s %12.0f %10s %10s", w.name, r.perSecond, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond))
		if floor {
			f := fs.result()
			if f.requests == 0 {
				return errors.New("the floor answered nothing")
			}
			fmt.Printf(" %12.0f %10s %10s %7.2f", f.perSecond, f.p50.Round(time.Microsecond), f.p99.Round(time.Microsecond), r.perSecond/f.perSecond)
		}
		if r.errors > 0 {
			fmt.Printf("  (%d errors)", r.errors)
		}
		fmt.Println()
	}
	return nil
}

func jsonRequest(method, target, auth, body string) (*http.Request, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequest(method, target, rd)
	if err != nil {
		return nil, err
	}
	r.Header.Set("Authorization", auth)
	if body != "" {
		r.Header.Set("Content-Type", "application/scim+json")
	}
	return r, nil
}

func userBody(name string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
		`"userName":"` + name + `@contoso.example.com","externalId":"` + name + `","active":true,"displayName":"` + name + `","title":"Software Engineer",` +
		`"name":{"givenName":"Given","familyName":"` + name + `"},"emails":[{"value":"` + name + `@contoso.example.com","type":"work","primary":true}],` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1","department":"Engineering"}}`
}

// seed creates the users the workloads read, with c clients, and returns
// their ids.
func seed(client *http.Client, base, auth, prefix string, n, c int) ([]string, error) {
	ids := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range max(c, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				id, err := create(client, base, auth, fmt.Sprintf("%s-%d", prefix, i))
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("seeding user %d: %w", i, err)
					}
					mu.Unlock()
					return
				}
				ids[i] = id
			}
		}()
	}
	wg.Wait()
	return ids, first
}

// create posts one user and returns its id.
func create(client *http.Client, base, auth, name string) (string, error) {
	req, err := jsonRequest(http.MethodPost, base+"/Users", auth, userBody(name))
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		ID string `json:"id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusCreated || err != nil {
		return "", fmt.Errorf("status %d, %v", resp.StatusCode, err)
	}
	return out.ID, nil
}

func workloads(auth, prefix string, ids []string, users int) []workload {
	pick := func() int { return rand.IntN(users) }
	return []workload{
		{"get", func(base string, _ int64) (*http.Request, error) {
			return jsonRequest(http.MethodGet, base+"/Users/"+ids[pick()], auth, "")
		}},
		{"usernameeq", func(base string, _ int64) (*http.Request, error) {
			f := url.QueryEscape(fmt.Sprintf(`userName eq "%s-%d@contoso.example.com"`, prefix, pick()))
			return jsonRequest(http.MethodGet, base+"/Users?filter="+f, auth, "")
		}},
		{"post", func(base string, n int64) (*http.Request, error) {
			return jsonRequest(http.MethodPost, base+"/Users", auth, userBody(fmt.Sprintf("%s-post-%d-%s", prefix, n, strconv.FormatInt(rand.Int64(), 36))))
		}},
		{"patch", func(base string, n int64) (*http.Request, error) {
			body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Name %d"},{"op":"replace","path":"title","value":"Title %d"}]}`, n, n)
			return jsonRequest(http.MethodPatch, base+"/Users/"+ids[pick()], auth, body)
		}},
		{"page", func(base string, _ int64) (*http.Request, error) {
			return jsonRequest(http.MethodGet, base+"/Users?startIndex=1&count=100&attributes=userName", auth, "")
		}},
	}
}

// drive runs w against base with c clients for d.
func drive(client *http.Client, base string, w workload, c int, d time.Duration) sample {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var n atomic.Int64
	var errs atomic.Int64
	lat := make([][]time.Duration, c)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, err := w.req(base, n.Add(1))
				if err != nil {
					errs.Add(1)
					continue
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode >= 400 {
					errs.Add(1)
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	return sample{lat: slices.Concat(lat...), errors: int(errs.Load()), elapsed: time.Since(start)}
}

// answer is one captured response.
type answer struct {
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

// startFloor captures one answer of w from the SCIM server and serves it
// from a bare net/http server in a process of its own, as the SCIM server
// runs in its own. It returns the floor's base URL and a function that
// stops it.
func startFloor(client *http.Client, base string, w workload) (floorBase string, stop func(), err error) {
	req, err := w.req(base, -1)
	if err != nil {
		return "", nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", nil, err
	}
	a := answer{Status: resp.StatusCode, Header: resp.Header.Clone()}
	a.Body, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", nil, err
	}
	a.Header.Del("Date")
	a.Header.Del("Content-Length")
	f, err := os.CreateTemp("", "scimkit-floor-*.json")
	if err != nil {
		return "", nil, err
	}
	defer os.Remove(f.Name())
	if err := json.NewEncoder(f).Encode(a); err != nil {
		return "", nil, err
	}
	f.Close()
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(self, "-serve-floor", f.Name())
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("starting the floor: %w", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		stop()
		return "", nil, err
	}
	u.Host = strings.TrimSpace(addr)
	return u.String(), stop, nil
}

// floorServer serves the answer in file to every request, on a loopback
// port it prints.
func floorServer(file string) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		for k, v := range a.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(a.Status)
		_, _ = w.Write(a.Body)
	}), ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}
