#!/usr/bin/perl
# Waits for the first HTTP 200 from 127.0.0.1:PORT and prints when it came
# (CLOCK_REALTIME, nanoseconds), for the Emperor bench. Tries every
# millisecond (a refused connect costs microseconds), gives up after
# TIMEOUT seconds (exit 1).
#
#   perl bench/first-200.pl PORT [TIMEOUT=20]
use strict;
use warnings;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);

my ($port, $timeout) = (@ARGV, 20);
die "usage: first-200.pl PORT [TIMEOUT]\n" unless defined $port && $port =~ /^\d+$/;
my $deadline = time + $timeout;
while (time < $deadline) {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp', Timeout => 1);
    if ($s) {
        print $s "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
        my $status = <$s> // '';
        close $s;
        if ($status =~ m{^HTTP/\S+ 200}) {
            # Integer arithmetic on the two halves: a double loses nanoseconds.
            my ($sec, $usec) = Time::HiRes::gettimeofday();
            printf "%d%06d000\n", $sec, $usec;
            exit 0;
        }
    }
    sleep 0.001;
}
print STDERR "first-200.pl: no HTTP 200 from 127.0.0.1:$port within ${timeout}s\n";
exit 1;
