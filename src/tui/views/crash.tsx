import { Text, useApp, useInput, useStdin } from "ink";
import { Component, type ReactNode } from "react";

function CrashLine(props: { message: string }) {
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  useInput((input, key) => (input === "q" || (key.ctrl && input === "c") ? exit() : undefined), { isActive: isRawModeSupported });
  return <Text>{`berth tui stopped drawing: ${props.message.split("\n")[0]} (q quits)`}</Text>;
}

/** A bug in a view becomes one line and q, never a stack trace over the user's screen. */
export class CrashBoundary extends Component<{ children: ReactNode }, { message: string | null }> {
  override state = { message: null as string | null };
  static getDerivedStateFromError(error: Error) {
    return { message: error.message || String(error) };
  }
  override render() {
    return this.state.message === null ? this.props.children : <CrashLine message={this.state.message} />;
  }
}
