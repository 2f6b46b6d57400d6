# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_vassalrun_global_optspecs
    string join \n root= run-dir= log-level= config-dir= init-path= default-cgroup-parent= bridge= subnet= gateway= max-image-size= max-expansion-ratio= h/help V/version
end

function __fish_vassalrun_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_vassalrun_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_vassalrun_using_subcommand
    set -l cmd (__fish_vassalrun_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c vassalrun -n "__fish_vassalrun_needs_command" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_needs_command" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_needs_command" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_needs_command" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_needs_command" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_needs_command" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_needs_command" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_needs_command" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_needs_command" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_needs_command" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_needs_command" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_needs_command" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -s V -l version -d 'Print version'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "spec" -d 'Print the OCI config.json a container would run with (no side effects)'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "image" -d 'Manage rootfs images: import, ls, rm, inspect, tag, prune'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "pull" -d 'Pull an image from a registry (OCI distribution API)'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "create" -d 'Create a container (status "created") and print its id'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "start" -d 'Start created or exited containers'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "attach" -d 'Attach to a running container\'s output (and stdin with -i)'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "run" -d 'Create and start a container; without -d wait and exit with its code'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "rm" -d 'Remove containers'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "stop" -d 'Stop containers: the stop signal, then SIGKILL after the timeout'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "kill" -d 'Send a signal to containers (default SIGKILL)'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "restart" -d 'Stop and start containers'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "wait" -d 'Wait for containers to exit and print their exit codes'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "exec" -d 'Run a command in a running container and exit with its code'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "logs" -d 'Print a container\'s output from its log'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "ps" -d 'List containers'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "inspect" -d 'Show containers in Docker\'s JSON shape'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "diff" -d 'List a container\'s changes to its image (A added, C changed, D deleted)'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "export" -d 'Write a container\'s filesystem as a tar archive'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "gc" -d 'Remove what crashed commands left behind (half-created containers, stale state, cgroups, names)'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "network" -d 'Manage the bridge network: reload'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "port" -d 'List a container\'s published ports, or the host side of one'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "monitor" -d 'The per-container monitor (started by create and start)'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "oci" -d 'OCI runtime mode, runc\'s command line: `vassalrun oci [runc flags] COMMAND` (must come first)'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "docker" -d 'Docker\'s command line for orchestrators: docker [-H URL] [-D] [-l LEVEL] COMMAND … (also as a `docker` symlink)'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "cp" -d 'Copy files between a container and the host: cp CONTAINER:SRC DEST, cp SRC CONTAINER:DEST'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "pause" -d 'Freeze every process of containers'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "unpause" -d 'Thaw paused containers'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "rename" -d 'Rename a container'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "update" -d 'Change containers\' resource limits (running ones at once, in their cgroup)'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "top" -d 'List a container\'s processes'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "stats" -d 'Show containers\' CPU, memory and pids from their cgroups'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "events" -d 'Show container events (create, start, die, destroy, …) from the event log'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "container" -d 'Manage containers: prune'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "version" -d 'Show the version'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "completion" -d 'Print a shell completion script: bash, zsh or fish'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "man" -d 'Write man pages (vassalrun.1, vassalrun-COMMAND.1) into a directory'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "internal-docs" -d 'Print generated documentation (docs/commands.md)'
complete -c vassalrun -n "__fish_vassalrun_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l explain -d 'Print which run module added which argument (text, or json), not the spec' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l config -d 'Engine API ContainerCreate JSON (`Config` fields + `HostConfig`); `-` reads stdin' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l name -d 'Assign a name to the container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -s e -l env -d 'Set environment variables (bare KEY: take it from this environment, or unset it)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l env-file -d 'Read environment variables from a file' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -s l -l label -d 'Add metadata: key=value' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l label-file -d 'Read labels from a file of key=value lines' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -s p -l publish -d 'Publish a container\'s port(s): [ip:][hostPort:]containerPort[/proto]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -s P -l publish-all -d 'Publish every exposed port (--expose, the image\'s EXPOSE) to an ephemeral host port' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l ip -d 'IPv4 address of the container on the bridge network (e.g. 172.17.0.10)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l expose -d 'Expose a port or range without publishing it' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -s v -l volume -d 'Bind mount: /host/path:/container/path[:ro|rw,propagation]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l mount -d 'Mount: type=bind|tmpfs,source=...,target=...[,readonly][,bind-propagation=...][,tmpfs-size=...][,tmpfs-mode=...]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l tmpfs -d 'Mount a tmpfs: /path[:options]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -s w -l workdir -d 'Working directory inside the container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -s u -l user -d 'User: name|uid[:group|gid]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l group-add -d 'Additional groups to join' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -s h -l hostname -d 'Container host name' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l domainname -d 'Container NIS domain name' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -s m -l memory -d 'Memory limit (e.g. 512m, 1g)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l memory-swap -d 'Memory plus swap limit; -1 for unlimited swap' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l memory-reservation -d 'Memory soft limit' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l memory-swappiness -d 'Memory swappiness (0 to 100, -1 for the host\'s)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l oom-kill-disable -d 'Disable the OOM killer' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l cpus -d 'Number of CPUs (e.g. 1.5)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l cpu-period -d 'CFS period in microseconds' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l cpu-quota -d 'CFS quota in microseconds' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l cpuset-mems -d 'Memory nodes in which to allow execution' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l blkio-weight -d 'Block IO weight (10 to 1000)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l pids-limit -d 'Process limit (-1 for unlimited)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l network -l net -d 'Network: bridge, host, none or container:NAME' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l dns -d 'DNS server' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l dns-search -d 'DNS search domain' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l dns-option -l dns-opt -d 'DNS option' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l add-host -d 'Add a host-to-IP mapping (host:ip)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l pid -d 'PID namespace: host or private' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l ipc -d 'IPC namespace: private, shareable, none or host' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l uts -d 'UTS namespace: host or private' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l cgroupns -d 'Cgroup namespace: host or private' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l cgroup-parent -d 'Parent cgroup for the container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l init -d 'Run an init (bound at /dev/init) that forwards signals and reaps processes' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l read-only -d 'Mount the container\'s root filesystem read-only' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l cidfile -d 'Write the container ID to the file' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l entrypoint -d 'Overwrite the default entrypoint of the image' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -s t -l tty -d 'Allocate a pseudo-TTY' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -s i -l interactive -d 'Keep STDIN open even if not attached' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l sig-proxy -d 'Proxy the signals a foreground run receives to the container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l detach-keys -d 'The key sequence that detaches from the container (default ctrl-p,ctrl-q)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l pull -d 'Pull the image before creating: missing (when not stored), always, never' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l platform -d 'Platform to pull for: OS/ARCH[/VARIANT] [default: the host\'s]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -s d -l detach -d 'Run the container in the background and print its ID' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l rm -d 'Remove the container when it exits' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l cap-add -d 'Add Linux capabilities' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l privileged -d 'Give extended privileges to this container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l security-opt -d 'Security options: no-new-privileges, seccomp=unconfined|FILE, apparmor=, label=, systempaths=unconfined' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l ulimit -d 'Ulimit: name=soft[:hard]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l sysctl -d 'Namespaced kernel parameter: name=value' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l shm-size -d 'Size of /dev/shm (default 64m)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l stop-signal -d 'Signal to stop the container (default SIGTERM)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l stop-timeout -d 'Seconds to wait before killing the container on stop' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l oom-score-adj -d 'Tune the container\'s OOM preferences (-1000 to 1000)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l log-driver -d 'Logging driver: json-file (default) or none' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l log-opt -d 'Log driver options: max-size=SIZE, max-file=N' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand spec" -l help -d 'Print help (-h is --hostname, as in docker run)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -f -a "import" -d 'Import a rootfs tarball (.tar, .tar.gz, .tar.zst) or directory; prints the digest'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -f -a "ls" -d 'List images'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -f -a "list" -d 'List images'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -f -a "rm" -d 'Remove images (refused while a container uses one, unless -f)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -f -a "remove" -d 'Remove images (refused while a container uses one, unless -f)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -f -a "inspect" -d 'Show images in Docker\'s JSON shape'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -f -a "tag" -d 'Give an image another name'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -f -a "load" -d 'Load images from a `docker save` archive or an OCI image layout (tar or directory)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -f -a "prune" -d 'Remove unnamed images (-a: all unused ones) and layers no image or container uses'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -f -a "pull" -d 'Pull an image from a registry'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -f -a "save" -d 'Save images as an OCI image layout (tar to -o FILE or stdout; -o DIR/ for a directory)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and not __fish_seen_subcommand_from import ls list rm remove inspect tag load prune pull save help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from import" -s c -l change -d 'Dockerfile instruction applied to the image config: CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE, STOPSIGNAL' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from import" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from import" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from import" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from import" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from import" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from import" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from import" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from import" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from import" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from import" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from import" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from ls" -l format -d 'table, json (one object per line), or a Go template: \'{{.Name}} {{.Size}}\', \'table {{.ID}}\\t{{.Name}}\'' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from ls" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from ls" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from ls" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from ls" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from ls" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from ls" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from ls" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from ls" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from ls" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from ls" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from ls" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only digests'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from list" -l format -d 'table, json (one object per line), or a Go template: \'{{.Name}} {{.Size}}\', \'table {{.ID}}\\t{{.Name}}\'' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from list" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from list" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from list" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from list" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from list" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from list" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from list" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from list" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from list" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from list" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from list" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only digests'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from rm" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from rm" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from rm" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from rm" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from rm" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from rm" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from rm" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from rm" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from rm" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from rm" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from rm" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from rm" -s f -l force -d 'Remove even if a container uses the image'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from remove" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from remove" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from remove" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from remove" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from remove" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from remove" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from remove" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from remove" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from remove" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from remove" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from remove" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from remove" -s f -l force -d 'Remove even if a container uses the image'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Print each image through a Go-style template ({{.Id}}, {{json .Config}})' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from inspect" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from inspect" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from inspect" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from inspect" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from inspect" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from inspect" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from inspect" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from inspect" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from inspect" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from inspect" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from inspect" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from tag" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from tag" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from tag" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from tag" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from tag" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from tag" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from tag" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from tag" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from tag" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from tag" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from tag" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from tag" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from load" -s i -l input -d '`docker save` archive or OCI image layout (tar or directory); stdin when absent' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from load" -l platform -d 'Platform to load from a multi-platform index [default: the host\'s]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from load" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from load" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from load" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from load" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from load" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from load" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from load" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from load" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from load" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from load" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from load" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from load" -s q -l quiet -d 'Print nothing'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from load" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from prune" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from prune" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from prune" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from prune" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from prune" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from prune" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from prune" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from prune" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from prune" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from prune" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from prune" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove every image no container uses, not only unnamed ones'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not ask for confirmation'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from pull" -l platform -d 'Platform to pull from a multi-platform image [default: the host\'s]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from pull" -l insecure-registry -d 'Registry (host[:port] or CIDR) that may be reached over plain HTTP; repeatable' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from pull" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from pull" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from pull" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from pull" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from pull" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from pull" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from pull" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from pull" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from pull" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from pull" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from pull" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from pull" -s q -l quiet -d 'Print only the image digest'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from pull" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from save" -s o -l output -d 'Write to FILE (a tar), or into DIR when it ends in `/` or is a directory; stdout when absent' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from save" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from save" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from save" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from save" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from save" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from save" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from save" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from save" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from save" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from save" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from save" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from save" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import a rootfs tarball (.tar, .tar.gz, .tar.zst) or directory; prints the digest'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List images'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove images (refused while a container uses one, unless -f)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Show images in Docker\'s JSON shape'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "tag" -d 'Give an image another name'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "load" -d 'Load images from a `docker save` archive or an OCI image layout (tar or directory)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove unnamed images (-a: all unused ones) and layers no image or container uses'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "pull" -d 'Pull an image from a registry'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "save" -d 'Save images as an OCI image layout (tar to -o FILE or stdout; -o DIR/ for a directory)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pull" -l platform -d 'Platform to pull from a multi-platform image [default: the host\'s]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pull" -l insecure-registry -d 'Registry (host[:port] or CIDR) that may be reached over plain HTTP; repeatable' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pull" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pull" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pull" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pull" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pull" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pull" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pull" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pull" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pull" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pull" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pull" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pull" -s q -l quiet -d 'Print only the image digest'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pull" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l config -d 'Engine API ContainerCreate JSON (`Config` fields + `HostConfig`); `-` reads stdin' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l name -d 'Assign a name to the container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -s e -l env -d 'Set environment variables (bare KEY: take it from this environment, or unset it)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l env-file -d 'Read environment variables from a file' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -s l -l label -d 'Add metadata: key=value' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l label-file -d 'Read labels from a file of key=value lines' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -s p -l publish -d 'Publish a container\'s port(s): [ip:][hostPort:]containerPort[/proto]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -s P -l publish-all -d 'Publish every exposed port (--expose, the image\'s EXPOSE) to an ephemeral host port' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l ip -d 'IPv4 address of the container on the bridge network (e.g. 172.17.0.10)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l expose -d 'Expose a port or range without publishing it' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -s v -l volume -d 'Bind mount: /host/path:/container/path[:ro|rw,propagation]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l mount -d 'Mount: type=bind|tmpfs,source=...,target=...[,readonly][,bind-propagation=...][,tmpfs-size=...][,tmpfs-mode=...]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l tmpfs -d 'Mount a tmpfs: /path[:options]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -s w -l workdir -d 'Working directory inside the container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -s u -l user -d 'User: name|uid[:group|gid]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l group-add -d 'Additional groups to join' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -s h -l hostname -d 'Container host name' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l domainname -d 'Container NIS domain name' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -s m -l memory -d 'Memory limit (e.g. 512m, 1g)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l memory-swap -d 'Memory plus swap limit; -1 for unlimited swap' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l memory-reservation -d 'Memory soft limit' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l memory-swappiness -d 'Memory swappiness (0 to 100, -1 for the host\'s)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l oom-kill-disable -d 'Disable the OOM killer' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l cpus -d 'Number of CPUs (e.g. 1.5)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l cpu-period -d 'CFS period in microseconds' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l cpu-quota -d 'CFS quota in microseconds' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l cpuset-mems -d 'Memory nodes in which to allow execution' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l blkio-weight -d 'Block IO weight (10 to 1000)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l pids-limit -d 'Process limit (-1 for unlimited)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l network -l net -d 'Network: bridge, host, none or container:NAME' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l dns -d 'DNS server' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l dns-search -d 'DNS search domain' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l dns-option -l dns-opt -d 'DNS option' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l add-host -d 'Add a host-to-IP mapping (host:ip)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l pid -d 'PID namespace: host or private' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l ipc -d 'IPC namespace: private, shareable, none or host' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l uts -d 'UTS namespace: host or private' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l cgroupns -d 'Cgroup namespace: host or private' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l cgroup-parent -d 'Parent cgroup for the container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l init -d 'Run an init (bound at /dev/init) that forwards signals and reaps processes' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l read-only -d 'Mount the container\'s root filesystem read-only' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l cidfile -d 'Write the container ID to the file' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l entrypoint -d 'Overwrite the default entrypoint of the image' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -s t -l tty -d 'Allocate a pseudo-TTY' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -s i -l interactive -d 'Keep STDIN open even if not attached' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l sig-proxy -d 'Proxy the signals a foreground run receives to the container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l detach-keys -d 'The key sequence that detaches from the container (default ctrl-p,ctrl-q)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l pull -d 'Pull the image before creating: missing (when not stored), always, never' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l platform -d 'Platform to pull for: OS/ARCH[/VARIANT] [default: the host\'s]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -s d -l detach -d 'Run the container in the background and print its ID' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l rm -d 'Remove the container when it exits' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l cap-add -d 'Add Linux capabilities' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l privileged -d 'Give extended privileges to this container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l security-opt -d 'Security options: no-new-privileges, seccomp=unconfined|FILE, apparmor=, label=, systempaths=unconfined' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l ulimit -d 'Ulimit: name=soft[:hard]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l sysctl -d 'Namespaced kernel parameter: name=value' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l shm-size -d 'Size of /dev/shm (default 64m)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l stop-signal -d 'Signal to stop the container (default SIGTERM)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l stop-timeout -d 'Seconds to wait before killing the container on stop' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l oom-score-adj -d 'Tune the container\'s OOM preferences (-1000 to 1000)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l log-driver -d 'Logging driver: json-file (default) or none' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l log-opt -d 'Log driver options: max-size=SIZE, max-file=N' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l help -d 'Print help (-h is --hostname, as in docker run)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand create" -l replace -d 'Remove a container that holds the name first'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand start" -l detach-keys -d 'The key sequence that detaches (default ctrl-p,ctrl-q)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand start" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand start" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand start" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand start" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand start" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand start" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand start" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand start" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand start" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand start" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand start" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand start" -s a -l attach -d 'Attach to the container\'s output (and exit with its code)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand start" -s i -l interactive -d 'Attach the container\'s stdin'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand start" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand attach" -l sig-proxy -d 'Forward the signals this command receives to the container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand attach" -l detach-keys -d 'The key sequence that detaches (default ctrl-p,ctrl-q)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand attach" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand attach" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand attach" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand attach" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand attach" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand attach" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand attach" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand attach" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand attach" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand attach" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand attach" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand attach" -l no-stdin -d 'Do not attach stdin'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand attach" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l config -d 'Engine API ContainerCreate JSON (`Config` fields + `HostConfig`); `-` reads stdin' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l name -d 'Assign a name to the container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -s e -l env -d 'Set environment variables (bare KEY: take it from this environment, or unset it)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l env-file -d 'Read environment variables from a file' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -s l -l label -d 'Add metadata: key=value' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l label-file -d 'Read labels from a file of key=value lines' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -s p -l publish -d 'Publish a container\'s port(s): [ip:][hostPort:]containerPort[/proto]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -s P -l publish-all -d 'Publish every exposed port (--expose, the image\'s EXPOSE) to an ephemeral host port' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l ip -d 'IPv4 address of the container on the bridge network (e.g. 172.17.0.10)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l expose -d 'Expose a port or range without publishing it' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -s v -l volume -d 'Bind mount: /host/path:/container/path[:ro|rw,propagation]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l mount -d 'Mount: type=bind|tmpfs,source=...,target=...[,readonly][,bind-propagation=...][,tmpfs-size=...][,tmpfs-mode=...]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l tmpfs -d 'Mount a tmpfs: /path[:options]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -s u -l user -d 'User: name|uid[:group|gid]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l group-add -d 'Additional groups to join' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -s h -l hostname -d 'Container host name' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l domainname -d 'Container NIS domain name' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -s m -l memory -d 'Memory limit (e.g. 512m, 1g)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l memory-swap -d 'Memory plus swap limit; -1 for unlimited swap' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l memory-reservation -d 'Memory soft limit' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l memory-swappiness -d 'Memory swappiness (0 to 100, -1 for the host\'s)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l oom-kill-disable -d 'Disable the OOM killer' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l cpus -d 'Number of CPUs (e.g. 1.5)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l cpu-period -d 'CFS period in microseconds' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l cpu-quota -d 'CFS quota in microseconds' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l cpuset-mems -d 'Memory nodes in which to allow execution' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l blkio-weight -d 'Block IO weight (10 to 1000)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l pids-limit -d 'Process limit (-1 for unlimited)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l network -l net -d 'Network: bridge, host, none or container:NAME' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l dns -d 'DNS server' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l dns-search -d 'DNS search domain' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l dns-option -l dns-opt -d 'DNS option' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l add-host -d 'Add a host-to-IP mapping (host:ip)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l pid -d 'PID namespace: host or private' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l ipc -d 'IPC namespace: private, shareable, none or host' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l uts -d 'UTS namespace: host or private' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l cgroupns -d 'Cgroup namespace: host or private' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l cgroup-parent -d 'Parent cgroup for the container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l init -d 'Run an init (bound at /dev/init) that forwards signals and reaps processes' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l read-only -d 'Mount the container\'s root filesystem read-only' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l cidfile -d 'Write the container ID to the file' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l entrypoint -d 'Overwrite the default entrypoint of the image' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -s t -l tty -d 'Allocate a pseudo-TTY' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -s i -l interactive -d 'Keep STDIN open even if not attached' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l sig-proxy -d 'Proxy the signals a foreground run receives to the container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l detach-keys -d 'The key sequence that detaches from the container (default ctrl-p,ctrl-q)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l pull -d 'Pull the image before creating: missing (when not stored), always, never' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l platform -d 'Platform to pull for: OS/ARCH[/VARIANT] [default: the host\'s]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -s d -l detach -d 'Run the container in the background and print its ID' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l rm -d 'Remove the container when it exits' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l cap-add -d 'Add Linux capabilities' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l privileged -d 'Give extended privileges to this container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l security-opt -d 'Security options: no-new-privileges, seccomp=unconfined|FILE, apparmor=, label=, systempaths=unconfined' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l ulimit -d 'Ulimit: name=soft[:hard]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l sysctl -d 'Namespaced kernel parameter: name=value' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l shm-size -d 'Size of /dev/shm (default 64m)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l stop-signal -d 'Signal to stop the container (default SIGTERM)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l stop-timeout -d 'Seconds to wait before killing the container on stop' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l oom-score-adj -d 'Tune the container\'s OOM preferences (-1000 to 1000)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l log-driver -d 'Logging driver: json-file (default) or none' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l log-opt -d 'Log driver options: max-size=SIZE, max-file=N' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l help -d 'Print help (-h is --hostname, as in docker run)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand run" -l replace -d 'Remove a container that holds the name first'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rm" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rm" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rm" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rm" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rm" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rm" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rm" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rm" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rm" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rm" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rm" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rm" -s f -l force -d 'Kill a running container first'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rm" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stop" -s t -l time -d 'Seconds to wait before killing [default: the container\'s --stop-timeout, or 10]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stop" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stop" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stop" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stop" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stop" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stop" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stop" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stop" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stop" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stop" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stop" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stop" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand kill" -s s -l signal -d 'Signal to send (name or number)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand kill" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand kill" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand kill" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand kill" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand kill" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand kill" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand kill" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand kill" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand kill" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand kill" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand kill" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand kill" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand restart" -s t -l time -d 'Seconds to wait before killing [default: the container\'s --stop-timeout, or 10]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand restart" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand restart" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand restart" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand restart" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand restart" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand restart" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand restart" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand restart" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand restart" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand restart" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand restart" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand restart" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand wait" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand wait" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand wait" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand wait" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand wait" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand wait" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand wait" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand wait" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand wait" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand wait" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand wait" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand wait" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -l detach-keys -d 'The key sequence that detaches from a -t process (default ctrl-p,ctrl-q)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -s u -l user -d 'User: name|uid[:group|gid]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -s w -l workdir -d 'Working directory inside the container' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -s e -l env -d 'Set environment variables' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -l env-file -d 'Read environment variables from a file (before -e)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -s t -l tty -d 'Allocate a pseudo-TTY for the process, relayed to this command\'s terminal'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -s i -l interactive -d 'Send this command\'s stdin to the process (without it: /dev/null)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -s d -l detach -d 'Detached mode: start the command in the background, its output discarded'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -l privileged -d 'Give the command every capability the host grants'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand exec" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -s n -l tail -d 'Only the last N messages ("all" for everything)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -l since -d 'Only messages since this time (RFC 3339, date, Unix seconds, or a duration like 10m)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -l until -d 'Only messages before this time (same forms as --since)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -s f -l follow -d 'Keep printing new output until the container stops'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -s t -l timestamps -d 'Prefix each message with its time'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand logs" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -l format -d 'table, json (one object per line), or a Go template: \'{{.Names}}\\t{{.Status}}\', \'table {{.ID}}\\t{{.Names}}\'' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -s f -l filter -d 'Only containers that match: name=, id=, label=KEY[=VALUE], status=, ancestor= (repeat to combine)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -s n -l last -d 'The N most recently created containers (all states)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -s a -l all -d 'Show all containers (default: running only)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -s q -l quiet -d 'Only ids'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -l no-trunc -d 'Do not truncate ids and commands'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -s l -l latest -d 'The most recently created container (all states)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -s s -l size -d 'Show the size of each container\'s changes (and with its image: virtual)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand ps" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand inspect" -s f -l format -d 'Print each container through a Go-style template ({{.State.Pid}}, {{json .Config}})' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand inspect" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand inspect" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand inspect" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand inspect" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand inspect" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand inspect" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand inspect" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand inspect" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand inspect" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand inspect" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand inspect" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand inspect" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand diff" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand diff" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand diff" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand diff" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand diff" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand diff" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand diff" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand diff" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand diff" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand diff" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand diff" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand diff" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand export" -s o -l output -d 'Write to a file instead of stdout' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand export" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand export" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand export" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand export" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand export" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand export" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand export" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand export" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand export" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand export" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand export" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand export" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand gc" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand gc" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand gc" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand gc" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand gc" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand gc" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand gc" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand gc" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand gc" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand gc" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand gc" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand gc" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and not __fish_seen_subcommand_from reload help" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and not __fish_seen_subcommand_from reload help" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and not __fish_seen_subcommand_from reload help" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and not __fish_seen_subcommand_from reload help" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and not __fish_seen_subcommand_from reload help" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and not __fish_seen_subcommand_from reload help" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and not __fish_seen_subcommand_from reload help" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and not __fish_seen_subcommand_from reload help" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and not __fish_seen_subcommand_from reload help" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and not __fish_seen_subcommand_from reload help" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and not __fish_seen_subcommand_from reload help" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and not __fish_seen_subcommand_from reload help" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and not __fish_seen_subcommand_from reload help" -f -a "reload" -d 'Rebuild vassalrun\'s nftables table from state (after a firewall flush or reload)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and not __fish_seen_subcommand_from reload help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and __fish_seen_subcommand_from reload" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and __fish_seen_subcommand_from reload" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and __fish_seen_subcommand_from reload" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and __fish_seen_subcommand_from reload" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and __fish_seen_subcommand_from reload" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and __fish_seen_subcommand_from reload" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and __fish_seen_subcommand_from reload" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and __fish_seen_subcommand_from reload" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and __fish_seen_subcommand_from reload" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and __fish_seen_subcommand_from reload" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and __fish_seen_subcommand_from reload" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and __fish_seen_subcommand_from reload" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "reload" -d 'Rebuild vassalrun\'s nftables table from state (after a firewall flush or reload)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand port" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand port" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand port" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand port" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand port" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand port" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand port" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand port" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand port" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand port" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand port" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand port" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand monitor" -l finish -d '(from the relay image) the container exited with this code: finish' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand monitor" -l clients -d '(from the relay image) attached clients\' sockets, to tell the code' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand monitor" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand monitor" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand monitor" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand monitor" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand monitor" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand monitor" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand monitor" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand monitor" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand monitor" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand monitor" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand monitor" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand monitor" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand oci" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand oci" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand oci" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand oci" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand oci" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand oci" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand oci" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand oci" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand oci" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand oci" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand oci" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand docker" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand docker" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand docker" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand docker" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand docker" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand docker" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand docker" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand docker" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand docker" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand docker" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand docker" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand docker" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand cp" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand cp" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand cp" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand cp" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand cp" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand cp" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand cp" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand cp" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand cp" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand cp" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand cp" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand cp" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pause" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pause" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pause" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pause" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pause" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pause" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pause" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pause" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pause" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pause" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pause" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand pause" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand unpause" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand unpause" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand unpause" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand unpause" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand unpause" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand unpause" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand unpause" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand unpause" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand unpause" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand unpause" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand unpause" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand unpause" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rename" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rename" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rename" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rename" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rename" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rename" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rename" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rename" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rename" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rename" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rename" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand rename" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -s m -l memory -d 'Memory limit (e.g. 512m, 1g)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l memory-swap -d 'Memory plus swap limit; -1 for unlimited swap' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l memory-reservation -d 'Memory soft limit' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l cpus -d 'Number of CPUs (CFS quota over a 100 ms period)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l cpu-period -d 'CFS period, microseconds' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l cpu-quota -d 'CFS quota, microseconds' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l cpuset-mems -d 'Memory nodes in which to allow execution (0-3, 0,1)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l blkio-weight -d 'Block IO weight, 10 to 1000' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l pids-limit -d 'Process limit; 0 or -1 for unlimited' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand update" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand top" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand top" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand top" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand top" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand top" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand top" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand top" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand top" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand top" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand top" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand top" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand top" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stats" -l format -d 'Output format: table or json (one object per container per sample)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stats" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stats" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stats" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stats" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stats" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stats" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stats" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stats" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stats" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stats" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stats" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stats" -s a -l all -d 'Show all containers (default: running only)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stats" -l no-stream -d 'Print one sample and exit'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stats" -l no-trunc -d 'Do not truncate ids'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand stats" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand events" -l since -d 'Show events since this time (RFC 3339, date, Unix seconds, or a duration like 10m)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand events" -l until -d 'Stop at this time (same forms as --since); without it, follow new events' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand events" -s f -l filter -d 'Filter: container=NAME|ID, event=ACTION, image=IMAGE, type=container (repeatable)' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand events" -l format -d 'Output format: text, or json (one Docker event object per line; also \'{{json .}}\')' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand events" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand events" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand events" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand events" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand events" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand events" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand events" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand events" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand events" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand events" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand events" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand events" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and not __fish_seen_subcommand_from prune help" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and not __fish_seen_subcommand_from prune help" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and not __fish_seen_subcommand_from prune help" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and not __fish_seen_subcommand_from prune help" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and not __fish_seen_subcommand_from prune help" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and not __fish_seen_subcommand_from prune help" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and not __fish_seen_subcommand_from prune help" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and not __fish_seen_subcommand_from prune help" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and not __fish_seen_subcommand_from prune help" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and not __fish_seen_subcommand_from prune help" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and not __fish_seen_subcommand_from prune help" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and not __fish_seen_subcommand_from prune help" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and not __fish_seen_subcommand_from prune help" -f -a "prune" -d 'Remove all stopped (created, exited or dead) containers'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and not __fish_seen_subcommand_from prune help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and __fish_seen_subcommand_from prune" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and __fish_seen_subcommand_from prune" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and __fish_seen_subcommand_from prune" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and __fish_seen_subcommand_from prune" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and __fish_seen_subcommand_from prune" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and __fish_seen_subcommand_from prune" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and __fish_seen_subcommand_from prune" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and __fish_seen_subcommand_from prune" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and __fish_seen_subcommand_from prune" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and __fish_seen_subcommand_from prune" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and __fish_seen_subcommand_from prune" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not ask for confirmation'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove all stopped (created, exited or dead) containers'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand version" -s f -l format -d 'Output format: table or json' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand version" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand version" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand version" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand version" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand version" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand version" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand version" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand version" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand version" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand version" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand version" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand version" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand completion" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand completion" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand completion" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand completion" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand completion" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand completion" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand completion" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand completion" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand completion" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand completion" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand completion" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand completion" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand man" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand man" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand man" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand man" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand man" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand man" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand man" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand man" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand man" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand man" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand man" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand man" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand internal-docs" -l root -d 'Persistent state directory [default: /var/lib/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand internal-docs" -l run-dir -d 'Runtime state directory [default: /run/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand internal-docs" -l log-level -d 'Log level: error, warn, info, debug, trace [default: warn]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand internal-docs" -l config-dir -d 'Directory holding config.toml [default: /etc/vassalrun]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand internal-docs" -l init-path -d 'Init binary bound at /dev/init by --init [default: docker-init, tini-static or tini]' -r -F
complete -c vassalrun -n "__fish_vassalrun_using_subcommand internal-docs" -l default-cgroup-parent -d 'Cgroup parent of containers that set no --cgroup-parent [default: vassalrun]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand internal-docs" -l bridge -d 'Bridge of --network bridge containers [default: vassal0]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand internal-docs" -l subnet -d 'IPv4 subnet of the bridge [default: 172.17.0.0/16, or the next free private range when the host routes it]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand internal-docs" -l gateway -d 'The bridge\'s address [default: the subnet\'s first address]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand internal-docs" -l max-image-size -d 'Largest image an import unpacks (sum of its files\' sizes) [default: 16g]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand internal-docs" -l max-expansion-ratio -d 'Largest decompressed size of a tarball, in times its compressed size [default: 200]' -r
complete -c vassalrun -n "__fish_vassalrun_using_subcommand internal-docs" -s h -l help -d 'Print help'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "spec" -d 'Print the OCI config.json a container would run with (no side effects)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "image" -d 'Manage rootfs images: import, ls, rm, inspect, tag, prune'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "pull" -d 'Pull an image from a registry (OCI distribution API)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "create" -d 'Create a container (status "created") and print its id'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "start" -d 'Start created or exited containers'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "attach" -d 'Attach to a running container\'s output (and stdin with -i)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "run" -d 'Create and start a container; without -d wait and exit with its code'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "rm" -d 'Remove containers'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "stop" -d 'Stop containers: the stop signal, then SIGKILL after the timeout'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "kill" -d 'Send a signal to containers (default SIGKILL)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "restart" -d 'Stop and start containers'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "wait" -d 'Wait for containers to exit and print their exit codes'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "exec" -d 'Run a command in a running container and exit with its code'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "logs" -d 'Print a container\'s output from its log'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "ps" -d 'List containers'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "inspect" -d 'Show containers in Docker\'s JSON shape'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "diff" -d 'List a container\'s changes to its image (A added, C changed, D deleted)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "export" -d 'Write a container\'s filesystem as a tar archive'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "gc" -d 'Remove what crashed commands left behind (half-created containers, stale state, cgroups, names)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "network" -d 'Manage the bridge network: reload'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "port" -d 'List a container\'s published ports, or the host side of one'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "monitor" -d 'The per-container monitor (started by create and start)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "oci" -d 'OCI runtime mode, runc\'s command line: `vassalrun oci [runc flags] COMMAND` (must come first)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "docker" -d 'Docker\'s command line for orchestrators: docker [-H URL] [-D] [-l LEVEL] COMMAND … (also as a `docker` symlink)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "cp" -d 'Copy files between a container and the host: cp CONTAINER:SRC DEST, cp SRC CONTAINER:DEST'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "pause" -d 'Freeze every process of containers'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "unpause" -d 'Thaw paused containers'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "rename" -d 'Rename a container'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "update" -d 'Change containers\' resource limits (running ones at once, in their cgroup)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "top" -d 'List a container\'s processes'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "stats" -d 'Show containers\' CPU, memory and pids from their cgroups'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "events" -d 'Show container events (create, start, die, destroy, …) from the event log'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "container" -d 'Manage containers: prune'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "version" -d 'Show the version'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "completion" -d 'Print a shell completion script: bash, zsh or fish'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "man" -d 'Write man pages (vassalrun.1, vassalrun-COMMAND.1) into a directory'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "internal-docs" -d 'Print generated documentation (docs/commands.md)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and not __fish_seen_subcommand_from spec image pull create start attach run rm stop kill restart wait exec logs ps inspect diff export gc network port monitor oci docker cp pause unpause rename update top stats events container version completion man internal-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "import" -d 'Import a rootfs tarball (.tar, .tar.gz, .tar.zst) or directory; prints the digest'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "ls" -d 'List images'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "rm" -d 'Remove images (refused while a container uses one, unless -f)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "inspect" -d 'Show images in Docker\'s JSON shape'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "tag" -d 'Give an image another name'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "load" -d 'Load images from a `docker save` archive or an OCI image layout (tar or directory)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "prune" -d 'Remove unnamed images (-a: all unused ones) and layers no image or container uses'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "pull" -d 'Pull an image from a registry'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "save" -d 'Save images as an OCI image layout (tar to -o FILE or stdout; -o DIR/ for a directory)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "reload" -d 'Rebuild vassalrun\'s nftables table from state (after a firewall flush or reload)'
complete -c vassalrun -n "__fish_vassalrun_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "prune" -d 'Remove all stopped (created, exited or dead) containers'
