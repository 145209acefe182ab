from debian:12 as base
run echo hi
copy a b
HealthCheck none
OnBuild Run true
