/** The "Operator" field of the Confirm dialog: logged with the flash, remembered for the next one. */
import { MAX_OPERATOR_CHARS, operatorNameProblem } from '../../../src/common/operator-name.ts';
import { useAppStore } from '../store/use-app-store.ts';

export function OperatorField(): React.JSX.Element {
  const operator = useAppStore((state) => state.operator);
  const setOperator = useAppStore((state) => state.setOperator);
  const problem = operator.trim() === '' ? null : operatorNameProblem(operator);
  return (
    <label className="operator-field">
      <span>Operator (optional, written to the flash log)</span>
      <input type="text" value={operator} maxLength={MAX_OPERATOR_CHARS + 8} autoComplete="name" aria-invalid={problem !== null} onChange={(event) => setOperator(event.target.value)} />
      {problem !== null && <span role="alert">The operator name {problem}.</span>}
    </label>
  );
}
