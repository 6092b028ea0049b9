/**
 * The {@code compresso} command line: {@link dev.compresso.cli.Main} dispatches to one {@link
 * dev.compresso.cli.Command} class per verb. Commands parse options, call the library stages and print
 * results; they hold no pipeline logic of their own. Exit codes: 0 ok, 2 bad usage or input, 1
 * internal failure.
 */
package dev.compresso.cli;
