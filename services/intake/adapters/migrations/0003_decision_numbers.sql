-- A declined intake is an administrative decision with a public number (HBI-<year>-<n>); gaps are harmless.
CREATE SEQUENCE decision_number_seq;
