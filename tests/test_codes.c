/* SPDX-License-Identifier: MIT */
/* Tests of session/codes: ISRC, UPC/EAN check digits, Latin-1 (standards §3). */
#include "session/codes.h"
#include "session/keys.h"
#include "tests/harness.h"

TEST(ean13_check_digits_match_the_published_vectors)
{
    CHECK_EQ_INT(ean13_check_digit("762220000460"), 7);
    CHECK_EQ_INT(ean13_check_digit("012345678901"), 2);
    CHECK_EQ_INT(ean13_check_digit("501234567890"), 0);
    CHECK(upc_check_ok("0036000291452"));
    CHECK(upc_check_ok("036000291452"));     /* UPC-A read as 0 + UPC */
    CHECK(upc_check_ok("5012345678900"));
    CHECK(!upc_check_ok("5012345678901"));
    CHECK(!upc_length_ok("12345"));
    CHECK(!upc_length_ok("50123456789001"));
    CHECK(!upc_length_ok("501234567890X"));
}

TEST(isrc_format_and_normalisation)
{
    char n[32];
    isrc_normalise("gb-abc-26-00001", n, sizeof n);
    CHECK_EQ_STR(n, "GBABC2600001");
    CHECK(isrc_valid("USABC2400001"));
    CHECK(isrc_valid("GBEMI0300013"));
    CHECK(!isrc_valid("GBABC260001"));      /* 11 characters */
    CHECK(!isrc_valid("1BABC2600001"));     /* country must be letters */
    CHECK(!isrc_valid("GBABC26O0001"));     /* letter O in the number */
    CHECK(!isrc_valid("GB-ABC-26-00001"));  /* hyphens are removed before */
}

TEST(latin1_accepts_accents_and_refuses_the_rest)
{
    size_t bad = 0;
    CHECK(text_latin1_ok("Café Déjà Vu ÿ", &bad));
    CHECK(!text_latin1_ok("Tōkyō", &bad));
    CHECK_EQ_INT(bad, 1);
    CHECK(!text_latin1_ok("snow ❄", &bad));
    CHECK(!text_latin1_ok("price €", &bad));   /* the euro sign is not Latin-1 */
    CHECK_EQ_INT(text_latin1_length("Café"), 4);
}
