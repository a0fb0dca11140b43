/*
 * The answers test_ctl_ipsec.c expects for its SAs and policies: JSON,
 * text and telemetry, exact to the byte.
 */
#ifndef HAGW_TEST_CTL_IPSEC_WANT_H
#define HAGW_TEST_CTL_IPSEC_WANT_H

extern const char want_a[];
extern const char want_b[];
extern const char want_c[];
extern const char want_d[];
extern const char text_a[];
extern const char text_c[];
extern const char want_spd[];
extern const char text_spd[];
extern const char tel_b_fmt[];
extern const char tel_spd[];
extern const char want_clients[];
extern const char text_clients[];

#endif
