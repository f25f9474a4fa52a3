package samplesite

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The routes in this file are linked from no page; tests request them directly.

// slowDelay is how long /trouble/slow waits when the client does not give up first.
const slowDelay = 30 * time.Second

// serveSlow answers after slowDelay, or returns as soon as the request's context is done.
func serveSlow(w http.ResponseWriter, r *http.Request) {
	t := time.NewTimer(slowDelay)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		return
	case <-t.C:
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, "<!DOCTYPE html><html><head><title>终于加载完成</title></head><body><p>这个页面让您久等了。</p></body></html>")
}

func serveTooMany(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "2")
	errorPage(w, http.StatusTooManyRequests, "请求过于频繁,请稍后再试。")
}

func serveUnavailable(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "5")
	errorPage(w, http.StatusServiceUnavailable, "网站维护中,请稍后访问。")
}

func serveInternalError(w http.ResponseWriter, r *http.Request) {
	errorPage(w, http.StatusInternalServerError, "服务器内部错误。")
}

func errorPage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>%d %s</title></head><body><h1>%d %s</h1><p>%s</p></body></html>",
		status, http.StatusText(status), status, http.StatusText(status), msg)
}

func redirectTo(target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target, http.StatusFound)
	}
}

// hugeSize is how many bytes /trouble/huge streams.
const hugeSize = 64 << 20

// serveHuge streams hugeSize bytes of HTML without a Content-Length, stopping early when
// the client goes away.
func serveHuge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	head := "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>超长页面</title></head><body>\n"
	tail := "</body></html>\n"
	unit := "<p>这是一段不断重复的填充文字,用来测试爬虫对超大响应的处理。</p>\n"
	chunk := []byte(strings.Repeat(unit, (64<<10)/len(unit)))
	written, _ := w.Write([]byte(head))
	for written+len(chunk)+len(tail) <= hugeSize {
		if r.Context().Err() != nil {
			return
		}
		n, err := w.Write(chunk)
		written += n
		if err != nil {
			return
		}
	}
	pad := hugeSize - written - len(tail)
	w.Write(bytes.Repeat([]byte(" "), max(0, pad)))
	w.Write([]byte(tail))
}

// bombSize is how many zero bytes /trouble/gzip-bomb inflates to.
const bombSize = 1 << 30

var (
	bombOnce sync.Once
	bomb     []byte
)

// gzipBomb returns a gzip stream of bombSize zero bytes, about 1 MiB long. It compresses
// 1 MiB once and repeats that gzip member: concatenated members are one valid gzip stream.
func gzipBomb() []byte {
	bombOnce.Do(func() {
		var member bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
		zw.Write(make([]byte, 1<<20))
		zw.Close()
		bomb = bytes.Repeat(member.Bytes(), bombSize/(1<<20))
	})
	return bomb
}

// serveGzipBomb sends the bomb as Content-Encoding: gzip.
func serveGzipBomb(w http.ResponseWriter, r *http.Request) {
	b := gzipBomb()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// serveMalformed serves badly broken HTML that still holds an article.
func serveMalformed(w http.ResponseWriter, r *http.Request) {
	b, err := siteFS.ReadFile("site/raw/malformed.html")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b)
}

var (
	imageOnce sync.Once
	imagePNG  []byte
)

// serveImage answers every /wp-content/uploads/ path with one small grey PNG.
func serveImage(w http.ResponseWriter, r *http.Request) {
	imageOnce.Do(func() {
		img := image.NewGray(image.Rect(0, 0, 16, 9))
		for i := range img.Pix {
			img.Pix[i] = color.Gray{Y: 0xb0}.Y
		}
		var buf bytes.Buffer
		png.Encode(&buf, img)
		imagePNG = buf.Bytes()
	})
	if !strings.HasSuffix(r.URL.Path, ".png") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "max-age=86400")
	w.Write(imagePNG)
}
