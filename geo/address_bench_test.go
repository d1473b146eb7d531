package geo

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// Synthetic county: 5 cities of 1,000 streets, 100 numbers each. Every
// name is used in two cities, like a county's many Main Streets. In each
// city even streets run east-west 100 m apart and odd ones north-south
// 100 m apart, each 1.2 km long, so nearby streets cross.
const (
	benchCities        = 5
	benchStreetsInCity = 1000
	benchNumbers       = 100
)

var benchSyllables = []string{
	"ash", "bel", "cor", "dun", "el", "fal", "gar", "hol", "ing", "jun",
	"kel", "lin", "mor", "nor", "ol", "pen", "quin", "ros", "sel", "tor",
	"ur", "val", "wes", "yor", "zan", "bra", "cla", "dra", "fen", "gre",
	"har", "ivy", "jer", "kin", "lor", "mil", "ned", "oak", "pim", "rad",
	"sum", "tal", "ven", "wil", "ald", "bro", "cal", "der", "ern", "fox",
}

var benchTypes = []string{"St", "Ave", "Rd", "Dr", "Way", "Ln", "Blvd", "Pl"}

// benchStreet names street i; i and i+2500 share a name.
func benchStreet(i int) string {
	i %= benchCities * benchStreetsInCity / 2
	n := len(benchSyllables)
	return fmt.Sprintf("%s%s %s", benchSyllables[i/n%n], benchSyllables[i%n], benchTypes[i%len(benchTypes)])
}

var benchAddressCSV = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	b.Grow(benchCities * benchStreetsInCity * benchNumbers * 50)
	b.WriteString("number,street,city,zip,lat,lon\n")
	for i := range benchCities * benchStreetsInCity {
		c, k := i/benchStreetsInCity, i%benchStreetsInCity
		lat0, lon0 := 40.30+0.06*float64(c), -80.10+0.08*float64(c)
		street := benchStreet(i)
		for j := range benchNumbers {
			num := 100 + j*2 + j%2 // 100, 103, 104, 107, ...: odd and even sides
			along := float64(j) * 0.00012
			lat, lon := lat0+float64(k/2)*0.0009, lon0+along // east-west
			if k%2 == 1 {
				lat, lon = lat0+along*0.75, lon0+float64(k/2)*0.0012 // north-south
			}
			fmt.Fprintf(&b, "%d,%s,City %d,%d,%.6f,%.6f\n", num, street, c, 15100+c, lat, lon)
		}
	}
	return b.Bytes()
})

func benchAddresses(b *testing.B) *Addresses {
	b.Helper()
	a, err := ParseAddresses(bytes.NewReader(benchAddressCSV()), "bench.csv")
	if err != nil {
		b.Fatal(err)
	}
	if a.Len() != benchCities*benchStreetsInCity*benchNumbers {
		b.Fatalf("Len = %d", a.Len())
	}
	return a
}

func BenchmarkResolveAddress(b *testing.B) {
	a := benchAddresses(b)
	for _, bm := range []struct{ name, text string }{
		{"address", "151 " + benchStreet(10)},          // two cities, number in the file
		{"near", "153 " + benchStreet(10) + " city 2"}, // one city, nearest number
		{"typo", "151 " + benchStreet(10)[1:]},         // first letter missing
		{"intersection", benchStreet(2) + " & " + benchStreet(3)},
	} {
		if len(a.Resolve(bm.text)) == 0 {
			b.Fatalf("%q found nothing", bm.text)
		}
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a.Resolve(bm.text)
			}
		})
	}
}

func BenchmarkLoadAddresses500k(b *testing.B) {
	data := benchAddressCSV()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	a := benchAddresses(b)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(a)
	heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		benchAddresses(b)
	}
	b.ReportMetric(heap/(1<<20), "heap-MB")
}
