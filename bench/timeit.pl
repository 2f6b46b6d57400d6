#!/usr/bin/perl
# Times commands the way the targets need them, one sample per line on stdout
# ("NAME<TAB>MS"), so that one script run compares all of them:
#
#   perl bench/timeit.pl [--mode isolated|b2b] [--runs N] [--warmup W]
#                        [--gap-ms MS] NAME=COMMAND ...
#
# isolated (default): ROUNDS of every command, interleaved (the order rotates
#   each round, so no command always follows the same one), with an idle gap
#   of --gap-ms (default 100) before each run. The gap matters on cgroup v1:
#   the kernel skips the RCU grace period of a cgroup migration when another
#   migration happened in the last ~10-20 ms, which back-to-back runs of a
#   fast runtime get and a lone `run` on a real host does not.
# b2b: every command's runs one after the other with no gap (as hyperfine
#   does), commands in turn.
#
# COMMAND is split on blanks and executed directly (no shell, like
# `hyperfine -N`); its output goes to /dev/null; a failure stops the script
# with the command's output, exit 1. The clock is CLOCK_MONOTONIC from just
# before the fork to just after the reap.
use strict;
use warnings;
use POSIX ();
use Time::HiRes qw(clock_gettime CLOCK_MONOTONIC sleep);

my ($mode, $runs, $warmup, $gap_ms) = ('isolated', 20, 2, 100);
my @commands;
while (@ARGV) {
    my $arg = shift @ARGV;
    if    ($arg eq '--mode')   { $mode   = shift @ARGV }
    elsif ($arg eq '--runs')   { $runs   = shift @ARGV }
    elsif ($arg eq '--warmup') { $warmup = shift @ARGV }
    elsif ($arg eq '--gap-ms') { $gap_ms = shift @ARGV }
    elsif ($arg =~ /^([^=]+)=(.+)$/s) { push @commands, [$1, [split ' ', $2]] }
    else { die "timeit.pl: bad argument '$arg' (want NAME=COMMAND or an option)\n" }
}
die "timeit.pl: no commands\n" unless @commands;
die "timeit.pl: bad mode '$mode' (isolated or b2b)\n" unless $mode =~ /^(isolated|b2b)$/;
$| = 1;

# Milliseconds one run of ARGV takes; dies with its output if it fails.
sub run_once {
    my ($name, $argv) = @_;
    my $log = ($ENV{WORK} // "/tmp") . "/timeit.$$.log";
    my $t0  = clock_gettime(CLOCK_MONOTONIC);
    my $pid = fork() // die "timeit.pl: fork: $!\n";
    if ($pid == 0) {
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>', $log);
        open(STDERR, '>&', \*STDOUT);
        exec { $argv->[0] } @$argv or POSIX::_exit(127);
    }
    waitpid($pid, 0);
    my $status = $?;
    my $ms     = (clock_gettime(CLOCK_MONOTONIC) - $t0) * 1000;
    if ($status != 0) {
        my $out = do { local (@ARGV, $/) = ($log); <> } // '';
        unlink $log;
        die "timeit.pl: '$name' failed (status $status): @$argv\n$out";
    }
    unlink $log;
    return $ms;
}

sub sample {
    my ($cmd) = @_;
    printf "%s\t%.3f\n", $cmd->[0], run_once(@$cmd);
}

if ($mode eq 'b2b') {
    for my $cmd (@commands) {
        run_once(@$cmd) for 1 .. $warmup;
        sample($cmd) for 1 .. $runs;
    }
} else {
    # Warm-up: each command once (page cache, first-use set-up), untimed.
    for my $w (1 .. $warmup) { run_once(@$_) for @commands }
    for my $round (0 .. $runs - 1) {
        my $n = @commands;
        for my $i (0 .. $n - 1) {
            sleep($gap_ms / 1000) if $gap_ms > 0;
            sample($commands[($round + $i) % $n]);
        }
    }
}
