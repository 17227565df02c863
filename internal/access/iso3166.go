package access

// isoCodes holds every officially assigned ISO 3166-1 alpha-2 code (249 of
// them), sorted, two bytes each, with no separator: a fixed-width table that
// is searched in place, so nothing is built at start-up. Source: the ISO 3166
// table the tz database ships (iso3166.tab), which follows the ISO 3166
// Maintenance Agency's list of officially assigned codes. User-assigned
// codes such as XK (used by some geolocation databases for Kosovo) and
// reserved ones such as EU or UK are not in it.
const isoCodes = "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW"

// isCountryCode reports whether c is an officially assigned ISO 3166-1
// alpha-2 code, in upper case.
func isCountryCode(c string) bool {
	if len(c) != 2 {
		return false
	}
	lo, hi := 0, len(isoCodes)/2
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		e := isoCodes[2*mid : 2*mid+2]
		switch {
		case e == c:
			return true
		case e < c:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return false
}

// countryIndex maps an upper-case two-letter code to 0..675, or -1.
func countryIndex(c string) int {
	if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
		return -1
	}
	return int(c[0]-'A')*26 + int(c[1]-'A')
}

// countrySet is a set of two-letter codes, one bit per possible code.
type countrySet [11]uint64 // 11*64 = 704 >= 26*26

func (s *countrySet) add(c string) {
	if i := countryIndex(c); i >= 0 {
		s[i/64] |= 1 << (i % 64)
	}
}

func (s *countrySet) has(c string) bool {
	i := countryIndex(c)
	return i >= 0 && s[i/64]&(1<<(i%64)) != 0
}
